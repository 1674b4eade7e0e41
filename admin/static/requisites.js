/* Requisites by ИНН on a form: a «Заполнить по ИНН» button beside the ИНН box asks
   /admin/requisites/?inn=… (core.clients.requisites checks the checksum; DaData answers) and
   fills the boxes named in the box's data-fill (JSON: requisite → selector). A refusal is said
   in Russian under the box; nothing is filled then. */
(function () {
  'use strict';
  function setValue(el, value) {
    if (!el || value === undefined || value === null || value === '') return;
    el.value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }
  function attach(input) {
    var map = JSON.parse(input.getAttribute('data-fill') || '{}');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-outline-secondary btn-sm mt-1 requisites-fill';
    button.textContent = 'Заполнить по ИНН';
    var note = document.createElement('small');
    note.className = 'form-text requisites-note';
    note.setAttribute('role', 'status');
    input.insertAdjacentElement('afterend', note);
    input.insertAdjacentElement('afterend', button);
    button.addEventListener('click', function () {
      var inn = input.value.replace(/\s+/g, '');
      note.className = 'form-text requisites-note text-muted';
      note.textContent = 'Ищем…';
      fetch('/admin/requisites/?inn=' + encodeURIComponent(inn), { credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (!body.ok) {
            note.className = 'form-text requisites-note text-danger';
            note.textContent = body.error || 'Не удалось найти реквизиты.';
            return;
          }
          Object.keys(map).forEach(function (key) {
            var value = key === 'kind' ? (body.requisites.inn.length === 10 ? 'company' : '') : body.requisites[key];
            setValue(document.querySelector(map[key]), value);
          });
          input.value = body.requisites.inn;
          note.className = 'form-text requisites-note ' + (body.warning ? 'text-warning' : 'text-success');
          note.textContent = body.warning || ('Заполнено: ' + body.requisites.name);
        })
        .catch(function () {
          note.className = 'form-text requisites-note text-danger';
          note.textContent = 'Поиск по ИНН не ответил — заполните вручную.';
        });
    });
  }
  function start() {
    document.querySelectorAll('input[data-fill]').forEach(attach);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
