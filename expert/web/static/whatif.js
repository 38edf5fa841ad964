// The what-if page, live: on a change of a switch, fetch the page's difference alone
// (part=difference) for the answers that differ from those kept, and put it in place of the
// one shown; that section is aria-live="polite", so screen readers announce it. Without this
// script the submit button does the same with a whole page load.
(() => {
  const form = document.getElementById("what-if-form");
  if (!form || !window.fetch) return;
  const base = form.getAttribute("action").split("#")[0];
  let asked = 0;  // the number of the latest request: an older answer arriving late is dropped

  function changes() {  // a switch as kept (data-stored) is no change; one added always is
    const query = new URLSearchParams();
    for (const select of form.querySelectorAll("select[name]")) {
      const kept = select.dataset.stored ?? "";
      select.closest(".switch")?.classList.toggle("changed", select.value !== kept);
      if (select.value && select.value !== kept) query.append(select.name, select.value);
    }
    return query.toString();
  }

  async function update() {
    const shown = document.getElementById("what-if-difference");
    const query = changes();
    const mine = ++asked;
    shown.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`${base}?${query}${query ? "&" : ""}part=difference`,
                                   {credentials: "same-origin"});
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html")
        .getElementById("what-if-difference");
      if (mine !== asked) return;
      if (!fresh) { form.submit(); return; }  // not the difference (logged out?): load the page
      shown.replaceChildren(...fresh.childNodes);
      history.replaceState(null, "", query ? `${base}?${query}` : base);
    } catch {
      if (mine === asked) form.submit();
    } finally {
      if (mine === asked) shown.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("change", (event) => {
    if (event.target.matches("select")) update();
  });
})();
