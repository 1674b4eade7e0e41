/* The web chat page (chat.html): kept in its own file so the page needs no inline script
   (Content-Security-Policy: script-src 'self'). */
(function () {
  const base = location.pathname.replace(/\/+$/, "");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const log = document.getElementById("log"), menu = document.getElementById("menu");
  const text = document.getElementById("text"), file = document.getElementById("file");
  const headers = {"X-Requested-With": "brigadir"};
  if (csrf) headers["X-CSRFToken"] = csrf;
  const uid = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());

  // The conversation so far, kept in this browser for this chat (a reload shows it again).
  const historyKey = "brigadir-chat:" + document.querySelector('meta[name="chat-history"]').content;
  const KEEP = 200;
  let history = [];
  try { history = JSON.parse(localStorage.getItem(historyKey) || "[]"); } catch (e) { history = []; }
  function remember(entry) {
    history.push(entry);
    if (history.length > KEEP) history = history.slice(-KEEP);
    try { localStorage.setItem(historyKey, JSON.stringify(history)); } catch (e) { /* full: keep going */ }
  }
  function add(cls, content, replaying) {
    const div = document.createElement("div");
    div.className = "msg " + cls;
    if (typeof content === "string") div.textContent = content; else div.appendChild(content);
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    if (cls === "me" && !replaying) remember({me: typeof content === "string" ? content : div.textContent || "📎"});
    return div;
  }
  function render(replies, replaying) {
    for (const r of replies) {
      if (!replaying) remember({bot: r});
      const div = add("bot", r.text, true);
      if (r.buttons && r.buttons.length) {
        const box = document.createElement("div"); box.className = "buttons";
        for (const row of r.buttons) {
          const line = document.createElement("div"); line.className = "row";
          for (const b of row) {
            const btn = document.createElement("button"); btn.type = "button";
            btn.textContent = b.label; btn.dataset.payload = b.payload;
            btn.onclick = () => { add("me", b.label); post({payload: b.payload}); };
            line.appendChild(btn);
          }
          box.appendChild(line);
        }
        div.appendChild(box);
      }
      if (r.menu) {
        menu.innerHTML = "";
        for (const row of r.menu) for (const label of row) {
          const btn = document.createElement("button"); btn.type = "button"; btn.textContent = label;
          btn.onclick = () => { add("me", label); post({text: label}); };
          menu.appendChild(btn);
        }
      }
    }
  }
  async function call(url, init) {
    const wait = document.createElement("div"); wait.className = "typing"; wait.textContent = "печатает…";
    log.appendChild(wait);
    try {
      const res = await fetch(base + url, Object.assign({credentials: "same-origin"}, init));
      if (!res.ok) throw new Error(res.status);
      render((await res.json()).replies);
    } catch (e) {
      add("bot", "Нет связи с сервером. Попробуйте ещё раз.");
    } finally { wait.remove(); }
  }
  function post(body) {
    return call("/api/send", {method: "POST", body: JSON.stringify(body),
      headers: Object.assign({"Content-Type": "application/json", "X-Update-Id": uid()}, headers)});
  }
  document.getElementById("composer").onsubmit = (ev) => {
    ev.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    add("me", value); text.value = "";
    post({text: value});
  };
  document.getElementById("attach").onclick = () => file.click();
  file.onchange = () => {
    const f = file.files[0]; if (!f) return;
    const form = new FormData(); form.append("file", f); form.append("caption", text.value.trim());
    const shown = document.createElement("div");
    if (f.type.startsWith("image/")) { const img = document.createElement("img"); img.src = URL.createObjectURL(f); shown.appendChild(img); }
    if (text.value.trim()) shown.appendChild(document.createTextNode(text.value.trim()));
    if (!shown.childNodes.length) shown.textContent = "📎 " + f.name;
    add("me", shown); text.value = ""; file.value = "";
    call("/api/upload", {method: "POST", body: form, headers: Object.assign({"X-Update-Id": uid()}, headers)});
  };
  // Staff messages delivered to this chat (new tasks, clients' replies, mentions), every 5 s.
  let last = null;
  async function poll() {
    try {
      const res = await fetch(base + "/api/poll" + (last === null ? "" : "?after=" + last), {credentials: "same-origin"});
      if (res.ok) {
        const data = await res.json();
        render(data.replies);
        last = data.last;
      }
    } catch (e) { /* offline for a moment: the next round catches up */ }
    setTimeout(poll, 5000);
  }
  // A follow link (…/chat/?start=CODE from an order form's QR or a message) joins at once;
  // otherwise a chat with a history carries on where it was (its last menu too).
  const code = new URLSearchParams(location.search).get("start");
  for (const entry of history) {
    if (entry.me !== undefined) add("me", entry.me, true); else render([entry.bot], true);
  }
  if (code || !history.length) post({text: code ? "/start " + code : "/start"});
  poll();
})();
