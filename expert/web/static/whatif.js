// The what-if page, live: on a change of a switch, fetch the page's difference alone
// (part=difference) for the answers that differ from those kept, and put it in place of the
// one shown; that section is aria-live="polite", so screen readers announce it. A question
// chosen to add becomes a switch of its own in place (a copy of the page's template row), so
// another can be added while the difference follows. Without this script the submit button
// does the same with a whole page load, one added question at a time.
(() => {
  const form = document.getElementById("what-if-form");
  if (!form || !window.fetch) return;
  const base = form.getAttribute("action").split("#")[0];
  let asked = 0;  // the number of the latest request: an older answer arriving late is dropped

  function changes() {  // a switch as kept (data-stored) is no change; one added always is
    const query = new URLSearchParams();
    for (const select of form.querySelectorAll("select[name]")) {
      if (select.id === "add_side") continue;  // only with a question to add
      const kept = select.dataset.stored ?? "";
      select.closest(".switch")?.classList.toggle("changed", select.value !== kept);
      if (select.value && select.value !== kept) query.append(select.name, select.value);
    }
    for (const input of form.querySelectorAll("input[type=number][name]")) {
      const changed = input.value.trim() !== input.dataset.stored;  // empty: not given
      input.closest(".switch")?.classList.toggle("changed", changed);
      if (changed) query.append(input.name, input.value.trim());
    }
    for (const kit of form.querySelectorAll("fieldset.kit")) {  // the equipment as a whole
      const ticked = [...kit.querySelectorAll("input[type=checkbox]:checked")]
        .map((box) => box.value);
      const changed = ticked.join(" ") !== kit.dataset.stored;
      kit.classList.toggle("changed", changed);
      if (changed) {
        const name = kit.querySelector("input[type=hidden]").name;
        query.append(name, "given");
        for (const value of ticked) query.append(name, value);
      }
    }
    return query.toString();
  }

  function added(chosen) {  // the question chosen to add, as a switch in the "Added here" list
    const side = document.getElementById("add_side").value;
    const row = document.getElementById("what-if-added-row").content.firstElementChild
      .cloneNode(true);
    const label = row.querySelector("label");
    const select = row.querySelector("select");
    label.textContent = chosen.textContent;
    label.htmlFor = select.id = select.name = chosen.value;
    const sided = chosen.hasAttribute("data-sided");
    for (const option of [...select.options]) {
      if (!sided && ["left", "right", "both"].includes(option.value)) option.remove();
      if (sided && option.value === "yes") option.textContent = "Yes, side not given";
    }
    select.value = sided ? side : "yes";
    const list = document.getElementById("what-if-added");
    list.append(row);
    list.hidden = false;
    chosen.remove();  // asked once
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

  const hint = document.getElementById("add-hint");
  if (hint) hint.textContent = "The question becomes a switch in the list above; choose another to add it too.";
  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.id === "add") {
      if (!target.value) return;
      added(target.selectedOptions[0]);
      target.value = "";
    } else if (target.id === "add_side") {
      return;  // the side of the next question added
    }
    if (target.matches("select, input")) update();
  });
})();
