// The what-if page, live: on a change of a switch, fetch the same page's difference alone
// (part=difference) and put it in place of the one shown; its section is aria-live="polite",
// so screen readers announce it. Without this script the submit button does the same with a
// whole page load.
(() => {
  const form = document.getElementById("what-if-form");
  if (!form || !window.fetch) return;
  let asked = 0;  // the number of the latest request: an older answer arriving late is dropped

  async function update() {
    const shown = document.getElementById("what-if-difference");
    const query = new URLSearchParams(new FormData(form));
    const mine = ++asked;
    shown.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`${form.getAttribute("action").split("#")[0]}?${query}&part=difference`,
                                   {headers: {Accept: "text/html"}, credentials: "same-origin"});
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("what-if-difference");
      if (mine !== asked) return;
      if (!fresh) { form.submit(); return; }  // not the difference (logged out?): load the page
      shown.replaceChildren(...fresh.childNodes);
      history.replaceState(null, "", `?${query}`);
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
