/* What the admin's pages would otherwise say in inline scripts and on…= attributes, kept in
   one file so the Content-Security-Policy can forbid inline scripts (script-src 'self').
   Each piece finds its element by a data- attribute or an id. */
(function () {
  "use strict";

  // «Удалить?»: a button or link with data-confirm asks first; so does a form on submit.
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-confirm]");
    if (el && el.tagName !== "FORM" && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  }, true);

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.hasAttribute("data-autosubmit") && t.form) {  // a filter box, a file chosen
      t.form.submit();
    } else if (t.matches(".model-list select[data-order]")) {  // the order list's stage box
      var f = document.getElementById("move-row");
      f.elements.id.value = t.dataset.order;
      f.elements.stage.value = t.value;
      f.submit();
    }
  });

  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a");
    if (!a) return;
    if (a.hasAttribute("data-action") && window.modelActions) {  // «Для отмеченных»
      e.preventDefault();
      window.modelActions.execute(a.getAttribute("data-action"));
    } else if (a.getAttribute("href") === "#") {  // a menu's or a filter's own link
      e.preventDefault();
    }
  });

  function ready() {
    var thread = document.getElementById("team-thread");  // colleagues' chat: the newest
    if (thread) thread.scrollTop = 1e9;
    var frame = document.getElementById("print-frame"), button = document.getElementById("print-button");
    if (frame && button) {  // a paper just issued: print it (not under a test's webdriver)
      button.addEventListener("click", function () { frame.contentWindow.print(); });
      var printNow = function () {
        try { frame.contentWindow.focus(); if (!navigator.webdriver) frame.contentWindow.print(); } catch (err) {}
      };
      var doc = null;
      try { doc = frame.contentDocument; } catch (err) {}
      if (doc && doc.readyState === "complete" && doc.URL !== "about:blank") printNow();  // loaded already
      else frame.addEventListener("load", printNow, {once: true});
    }
    var add = document.getElementById("line-add");  // the order card's «+ позиция»
    if (add) add.addEventListener("click", function () {
      var rows = document.querySelectorAll("#lines-body .line-row"), copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = i.name === "line_quantity" ? "1" : ""; });
      copy.querySelector(".money").textContent = "";
      document.getElementById("lines-body").appendChild(copy);
      copy.querySelector("input").focus();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
