// The counter page: client lookup with the keyboard, a new client in place, quick due dates,
// files dropped onto the page with one image marked for the order form. No libraries.
(function () {
  "use strict";
  var form = document.getElementById("counter");
  if (!form) return;
  var search = document.getElementById("client-search");
  var hidden = document.getElementById("client");
  var options = document.getElementById("client-options");
  var chosen = document.getElementById("client-chosen");
  var fresh = document.getElementById("new-client");
  var newName = document.getElementById("new_client_name");
  var newPhone = document.getElementById("new_client_phone");
  var next = document.getElementById("description");
  var items = [], active = 0, timer = null, asked = "", pending = false, wantPick = false;

  function isPhone(text) { return /^[\d\s()+\-]{3,}$/.test(text); }

  function draw() {
    options.innerHTML = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.className = "list-group-item list-group-item-action py-1" + (i === active ? " active" : "");
      li.setAttribute("role", "option");
      li.textContent = item[1];
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
      options.appendChild(li);
    });
    var text = search.value.trim();
    if (text) {
      var add = document.createElement("li");
      add.className = "list-group-item list-group-item-action py-1 text-primary" + (items.length === 0 ? " active" : "");
      add.textContent = items.length ? "+ новый клиент «" + text + "»" : "Не найден — новый клиент «" + text + "»";
      add.addEventListener("mousedown", function (e) { e.preventDefault(); newClient(); });
      options.appendChild(add);
    }
    options.hidden = !text;
    search.setAttribute("aria-expanded", text ? "true" : "false");
  }

  function lookup() {
    var text = search.value.trim();
    if (text === asked) return;
    asked = text;
    if (!text) { items = []; draw(); return; }
    pending = true;
    fetch(search.dataset.lookup + "&query=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        if (search.value.trim() !== text) return;
        pending = false;
        items = list; active = 0; draw();
        if (wantPick) { wantPick = false; if (list.length) pick(0); else newClient(); return; }
        if (!list.length) { fresh.hidden = false; options.hidden = true; fill(); } // nobody like that: a new client
      });
  }

  function pick(i) {
    hidden.value = items[i][0];
    search.value = items[i][1];
    fresh.hidden = true; newName.value = ""; newPhone.value = "";
    chosen.hidden = false; options.hidden = true;
    next && next.focus();
  }

  function fill() {
    var text = search.value.trim();
    if (isPhone(text)) { newPhone.value = text; } else { newName.value = text; }
  }

  function newClient() {
    hidden.value = ""; chosen.hidden = true; options.hidden = true;
    fresh.hidden = false; fill();
    (newName.value ? newPhone : newName).focus();
  }

  search.addEventListener("input", function () {
    hidden.value = ""; chosen.hidden = true;
    if (!fresh.hidden) fill();
    clearTimeout(timer); timer = setTimeout(lookup, 120);
  });
  search.addEventListener("keydown", function (e) {
    var count = items.length + (search.value.trim() ? 1 : 0);
    if (e.key === "ArrowDown" && count) { active = (active + 1) % count; draw(); e.preventDefault(); }
    else if (e.key === "ArrowUp" && count) { active = (active + count - 1) % count; draw(); e.preventDefault(); }
    else if (e.key === "Escape") { options.hidden = true; }
    else if (e.key === "Enter" && !e.ctrlKey) {
      e.preventDefault();
      clearTimeout(timer);
      if (search.value.trim() !== asked || pending) { wantPick = true; lookup(); return; }
      if (active < items.length) pick(active); else newClient();
    }
  });
  search.addEventListener("blur", function () { setTimeout(function () { options.hidden = true; }, 150); });

  // A phone already on a card: offer that client before the server has to refuse a twin.
  newPhone.addEventListener("change", function () {
    var digits = newPhone.value.replace(/\D/g, "");
    if (digits.length < 10) return;
    fetch(search.dataset.lookup + "&query=" + encodeURIComponent(digits), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        var old = document.getElementById("twin-live");
        if (old) old.remove();
        if (list.length !== 1) return;
        var box = document.createElement("div");
        box.id = "twin-live";
        box.className = "alert alert-warning py-1 px-2 mb-0 mt-1";
        box.textContent = "Этот телефон уже у клиента «" + list[0][1] + "». ";
        var take = document.createElement("button");
        take.type = "button"; take.className = "btn btn-sm btn-warning ml-1";
        take.textContent = "Взять этого клиента";
        take.addEventListener("click", function () { items = list; pick(0); box.remove(); });
        box.appendChild(take);
        fresh.appendChild(box);
      });
  });
  var twin = document.getElementById("take-twin");
  if (twin) twin.addEventListener("click", function () {
    items = [[twin.dataset.id, twin.dataset.name]]; pick(0);
    document.getElementById("twin").remove();
  });

  // One line in the description ("Визитки 200 шт, 1 500, аванс 500, завтра"): the server's
  // reader says what it understood; the sum, advance and date go into their boxes unless the
  // person typed something else there. The server reads the line the same way on saving.
  var lineHint = document.getElementById("line-hint");
  var lineTimer = null;
  var LINE_FIELDS = { cost: "Стоимость", advance: "Аванс", due_date: "Срок" };
  function readLine() {
    var text = next.value;
    fetch(form.dataset.line + "?text=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (got) {
        if (next.value !== text) return;
        var said = [];
        Object.keys(LINE_FIELDS).forEach(function (name) {
          var box = document.getElementById(name);
          if (!box) return;
          var value = got[name] || "";
          if (box.value === "" || box.dataset.auto === box.value) {
            box.value = value; box.dataset.auto = value;
          }
          if (value) said.push(LINE_FIELDS[name].toLowerCase() + " " + value + (name === "due_date" ? "" : " ₽"));
        });
        if (lineHint) lineHint.textContent = said.length
          ? "Понято: «" + got.description + "», " + said.join(", ") + "."
          : "Можно одной строкой: что, сколько стоит, аванс и срок — через запятую.";
      });
  }
  if (next && form.dataset.line) next.addEventListener("input", function () {
    clearTimeout(lineTimer); lineTimer = setTimeout(readLine, 250);
  });
  // Enter in the new client's phone goes on to the description (not a half-filled save).
  newPhone.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) { e.preventDefault(); next && next.focus(); }
  });

  // Quick due dates.
  Array.prototype.forEach.call(document.querySelectorAll(".quick-date"), function (b) {
    b.addEventListener("click", function () { document.getElementById("due_date").value = b.dataset.date; });
  });

  // Ctrl+Enter anywhere: save and print.
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      document.getElementById("save-print").click();
    }
  });

  // Files: dropped anywhere on the page or chosen; images can be the form's preview.
  var input = document.getElementById("files");
  var list = document.getElementById("file-list");
  var hint = document.getElementById("preview-hint");
  function showFiles() {
    list.innerHTML = "";
    var images = 0;
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement("li");
      li.className = "d-flex align-items-center mb-1";
      if (/^image\//.test(f.type)) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(f); img.alt = f.name; img.className = "thumb-sm mr-2";
        li.appendChild(img);
        var label = document.createElement("label");
        label.className = "mb-0";
        var radio = document.createElement("input");
        radio.type = "radio"; radio.name = "preview"; radio.value = f.name; radio.className = "mr-1";
        if (images === 0) radio.checked = true; // the first picture, unless another is chosen
        label.appendChild(radio);
        label.appendChild(document.createTextNode(f.name + " — на бланк"));
        li.appendChild(label);
        images++;
      } else {
        li.textContent = f.name;
      }
      list.appendChild(li);
    });
    hint.hidden = images < 2;
  }
  input.addEventListener("change", showFiles);
  var drop = document.getElementById("drop");
  ["dragenter", "dragover"].forEach(function (t) {
    document.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("dragging"); });
  });
  document.addEventListener("dragleave", function () { drop.classList.remove("dragging"); });
  document.addEventListener("drop", function (e) {
    e.preventDefault(); drop.classList.remove("dragging");
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    var all = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (f) { all.items.add(f); });
    Array.prototype.forEach.call(e.dataTransfer.files, function (f) { all.items.add(f); });
    input.files = all.files;
    showFiles();
  });
})();
