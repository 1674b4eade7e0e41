/* The site chat bubble of Brigadir. Paste into the firm's site:
   <script src="https://ВАШ-АДРЕС/widget.js" async></script>
   Everything it shows lives in a shadow root, so the site's styles and this one's never mix. */
(function () {
  "use strict";
  if (window.__brigadirWidget) return;
  window.__brigadirWidget = true;
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/widget.js", location.href).origin;
  var api = base + "/widget/api/";
  var KEY = "brigadir_visitor";
  var store = { get: function () { try { return localStorage.getItem(KEY) || ""; } catch (e) { return ""; } },
                set: function (v) { try { localStorage.setItem(KEY, v); } catch (e) {} } };
  var last = null, open = false, timer = null, seq = 0, polling = false;

  var host = document.createElement("div");
  host.setAttribute("data-brigadir-widget", "");
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    '*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}' +
    '.bubble{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;display:flex;align-items:center;justify-content:center;' +
    'background:#1769aa;color:#fff;font-size:28px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}' +
    '.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;border-radius:10px;background:#d32f2f;' +
    'color:#fff;font-size:12px;line-height:20px;padding:0 5px;display:none}' +
    '.panel{position:fixed;right:20px;bottom:92px;width:360px;height:520px;max-height:calc(100vh - 110px);background:#fff;' +
    'border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);display:none;flex-direction:column;overflow:hidden;z-index:2147483000}' +
    '.panel.open{display:flex}' +
    '.head{background:#1769aa;color:#fff;padding:12px 14px;display:flex;align-items:center;justify-content:space-between}' +
    '.head b{font-size:16px}.close{background:none;border:0;color:#fff;font-size:24px;cursor:pointer;line-height:1}' +
    '.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f4f6f8}' +
    '.msg{max-width:85%;padding:8px 11px;border-radius:12px;font-size:15px;line-height:1.35;white-space:pre-wrap;word-wrap:break-word}' +
    '.me{align-self:flex-end;background:#d7ebfb}.them{align-self:flex-start;background:#fff;border:1px solid #e1e5ea}' +
    '.err{align-self:center;color:#b71c1c;font-size:13px;text-align:center}' +
    '.call{padding:8px 10px;border-top:1px solid #e1e5ea;display:none;gap:6px;flex-wrap:wrap}.call.open{display:flex}' +
    '.call input{flex:1 1 120px}' +
    '.row{display:flex;gap:6px;padding:8px 10px;border-top:1px solid #e1e5ea;align-items:center}' +
    'input[type=text],input[type=tel]{border:1px solid #c5ccd3;border-radius:8px;padding:9px 10px;font-size:16px;min-width:0}' +
    '.row input[type=text]{flex:1}' +
    'button.act{border:0;border-radius:8px;background:#1769aa;color:#fff;padding:9px 12px;font-size:15px;cursor:pointer}' +
    'button.ghost{border:1px solid #c5ccd3;border-radius:8px;background:#fff;color:#1769aa;padding:8px 10px;font-size:14px;cursor:pointer}' +
    'label.clip{cursor:pointer;padding:0 2px;display:flex}label.clip input{display:none}' +
    '.links{padding:6px 10px 0;background:#fff}' +
    '.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}' +
    '@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100%;max-height:100%;border-radius:0}' +
    '.panel.open~.bubble{display:none}}' +
    '</style>' +
    '<div class="panel" role="dialog" aria-label="Чат с нами">' +
    '<div class="head"><b>Напишите нам</b><button class="close" type="button" aria-label="Закрыть">×</button></div>' +
    '<div class="log" aria-live="polite"></div>' +
    '<div class="links"><button class="ghost callme" type="button">Перезвоните мне</button></div>' +
    '<form class="call"><input type="text" class="cname" placeholder="Ваше имя" autocomplete="name">' +
    '<input type="tel" class="cphone" placeholder="+7 900 000-00-00" autocomplete="tel" required>' +
    '<button class="act" type="submit">Жду звонка</button></form>' +
    '<form class="row send"><label class="clip" title="Прикрепить файл" aria-label="Прикрепить файл"><svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="#1769aa" stroke-width="2" stroke-linecap="round" d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7"/></svg><input type="file" class="file"></label>' +
    '<input type="text" class="text" placeholder="Ваше сообщение…" autocomplete="off" aria-label="Сообщение">' +
    '<span class="hp" aria-hidden="true"><input type="text" name="website" class="website" tabindex="-1" autocomplete="off"></span>' +
    '<button class="act" type="submit" aria-label="Отправить">Отправить</button></form>' +
    '</div>' +
    '<button class="bubble" type="button" aria-label="Открыть чат"><svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg><span class="badge"></span></button>';
  var $ = function (s) { return root.querySelector(s); };
  var panel = $(".panel"), log = $(".log"), badge = $(".badge");

  function add(text, who) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    div.textContent = text;  // never HTML: what anyone writes stays text
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function headers(json) {
    var h = {};
    if (json) h["Content-Type"] = "application/json";
    var v = store.get();
    if (v) h["X-Visitor"] = v;
    return h;
  }
  function take(r) {
    return r.json().catch(function () { return {}; }).then(function (body) {
      if (body.visitor) store.set(body.visitor);
      (body.replies || []).forEach(function (x) { add(x.text, r.ok ? "them" : "err"); });
      return body;
    });
  }
  function post(path, body, isForm) {
    return fetch(api + path, { method: "POST", credentials: "include", headers: headers(!isForm),
                               body: isForm ? body : JSON.stringify(body) })
      .then(take).catch(function () { add("Нет связи. Попробуйте ещё раз.", "err"); });
  }
  function poll() {
    if (polling) return;  // one loop only: two at once would show a reply twice
    polling = true;
    clearTimeout(timer);
    var q = last === null ? "" : "?after=" + last;
    fetch(api + "poll" + q, { credentials: "include", headers: headers(false) })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.visitor) store.set(body.visitor);
        if (typeof body.last === "number") last = body.last;
        (body.replies || []).forEach(function (x) { add(x.text, "them"); });
        if (!open && (body.replies || []).length) {
          badge.textContent = String((parseInt(badge.textContent, 10) || 0) + body.replies.length);
          badge.style.display = "block";
        }
      }).catch(function () {})
      .then(function () { polling = false; timer = setTimeout(poll, open ? 3000 : 15000); });
  }
  function toggle(to) {
    open = to;
    panel.classList.toggle("open", open);
    if (open) {
      badge.style.display = "none"; badge.textContent = "";
      if (!log.childElementCount) add("Здравствуйте! Задайте вопрос — ответим здесь же. Можно приложить файл.", "them");
      $(".text").focus();
      poll();
    }
  }
  $(".bubble").addEventListener("click", function () { toggle(!open); });
  $(".close").addEventListener("click", function () { toggle(false); });
  $(".callme").addEventListener("click", function () { $(".call").classList.toggle("open"); $(".cphone").focus(); });
  $(".send").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = $(".text"), text = input.value.trim();
    if (!text) return;
    input.value = "";
    add(text, "me");
    post("send", { text: text, website: $(".website").value, key: Date.now() + "-" + (++seq) });
  });
  $(".call").addEventListener("submit", function (e) {
    e.preventDefault();
    var phone = $(".cphone").value.trim();
    if (!phone) return;
    add("Перезвоните мне: " + phone, "me");
    post("send", { phone: phone, name: $(".cname").value.trim(), website: $(".website").value })
      .then(function () { $(".call").classList.remove("open"); });
  });
  $(".file").addEventListener("change", function () {
    var f = this.files[0];
    if (!f) return;
    var data = new FormData();
    data.append("file", f);
    data.append("caption", $(".text").value.trim());
    data.append("website", $(".website").value);
    $(".text").value = "";
    add("Файл: " + f.name, "me");
    post("upload", data, true);
    this.value = "";
  });
  function mount() { document.body.appendChild(host); poll(); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
