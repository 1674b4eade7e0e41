// The caller's card: every admin page asks each second which calls ring now and shows who
// is calling. Short polling on purpose: each answer is a few milliseconds of an ordinary
// request, so threaded and gunicorn workers stay free (a held-open stream would take one
// worker per open page). A hidden tab asks every five seconds.
(function () {
  "use strict";
  const box = document.getElementById("call-popups");
  if (!box) return;
  document.body.append(box); // out of the navbar: a phone folds the navbar away
  const shown = new Map(); // call id -> {card, json}
  const closed = new Set();
  const STATES = {ringing: "Звонит", talking: "Идёт разговор", ended: "Звонок завершён"};

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function link(href, text, cls) {
    const a = el("a", cls, text);
    a.href = href;
    return a;
  }

  function actions(call) {
    const row = el("div", "call-actions");
    if (call.new_number) {
      const form = el("form");
      form.method = "post";
      form.action = box.dataset.lead;
      for (const [name, value] of [["csrf_token", box.dataset.csrf], ["call", call.call_id]]) {
        const input = el("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
      }
      form.append(el("button", "btn btn-sm btn-primary mr-1", "Сделать лидом"));
      row.append(form);
    } else if (call.links.client) {
      row.append(link(call.links.client, "Карточка клиента", "btn btn-sm btn-primary mr-1"));
    }
    row.append(link(call.links.counter, "Заказ за стойкой", "btn btn-sm btn-outline-primary"));
    return row;
  }

  function render(call) {
    const card = el("section", "call-card call-" + call.state);
    card.dataset.call = call.call_id;
    const head = el("div", "call-head");
    const state = call.state === "talking" && call.answered_by
      ? STATES.talking + " — " + call.answered_by : STATES[call.state];
    head.append(el("strong", "call-state", state), el("span", "call-time", call.time)); // the firm's clock
    const close = el("button", "close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Закрыть карточку звонка");
    close.addEventListener("click", () => {
      closed.add(call.call_id);
      shown.delete(call.call_id);
      card.remove();
    });
    head.append(close);
    card.append(head);
    const who = el("div", "call-who");
    if (call.new_number) who.append(el("strong", "", "Новый номер"));
    else who.append(link(call.links.client, call.client_name, "call-name"));
    if (call.is_lead) who.append(el("span", "badge badge-info ml-1", "обращение"));
    if (call.phone) who.append(el("div", "call-phone", call.phone));
    card.append(who);
    if (call.orders.length) {
      const list = el("ul", "call-orders");
      for (const o of call.orders) {
        const item = el("li");
        item.append(link(o.url, "№" + o.number + " " + o.description));
        item.append(el("span", "text-muted", " — " + o.stage + (o.debt ? ", долг " + o.debt : "")));
        list.append(item);
      }
      card.append(list);
    } else if (!call.new_number) {
      card.append(el("div", "text-muted small", "Открытых заказов нет."));
    }
    for (const m of call.last) {
      card.append(el("div", "call-msg small", (m.direction === "in" ? "Клиент: «" : "Мы: «") + m.text + "»"));
    }
    card.append(actions(call));
    return card;
  }

  function update(calls) {
    const now = new Set();
    for (const call of calls) {
      now.add(call.call_id);
      if (closed.has(call.call_id)) continue;
      const json = JSON.stringify(call);
      const old = shown.get(call.call_id);
      if (old && old.json === json) continue; // unchanged: leave it be (focus, selection)
      const card = render(call);
      if (old) old.card.replaceWith(card);
      else box.prepend(card);
      shown.set(call.call_id, {card: card, json: json});
    }
    for (const [id, entry] of shown) {
      if (now.has(id) || entry.over) continue;
      entry.over = true; // over: the card stays until closed, saying so
      entry.card.classList.add("call-ended");
      entry.card.querySelector(".call-state").textContent = STATES.ended;
    }
  }

  async function poll() {
    let delay = document.hidden ? 5000 : 1000;
    try {
      const res = await fetch(box.dataset.url, {credentials: "same-origin", headers: {Accept: "application/json"}});
      if (res.ok && (res.headers.get("Content-Type") || "").includes("json")) update((await res.json()).calls);
      else if (res.status === 401 || res.status === 403) delay = 60000;
    } catch (e) { /* offline for a moment */ }
    setTimeout(poll, delay);
  }
  poll();
})();
