// The header's unread numbers, asked again every 20 seconds (short polling): a new
// letter, a client's reply or a colleague's message shows without reloading the page.
(function () {
  const box = document.getElementById("header-counters");
  if (!box) return;
  async function refresh() {
    try {
      const res = await fetch(box.dataset.url, {credentials: "same-origin"});
      if (res.ok) {
        const data = await res.json();
        for (const el of box.querySelectorAll("[data-counter]")) {
          const n = data[el.dataset.counter] || 0;
          el.textContent = n;
          el.className = "badge badge-" + (n ? "danger" : "light");
        }
      }
    } catch (e) { /* offline for a moment */ }
    setTimeout(refresh, 20000);
  }
  setTimeout(refresh, 20000);
})();
