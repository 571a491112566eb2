// Messaging: crisis guidance while typing, and new work in the team inbox without reloading.
// Everything here is an extra: the pages work the same without JavaScript.

const normalise = (text) => text.normalize("NFC").toLowerCase()
  .replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, " ");

function watchCrisisWords() {
  const data = document.getElementById("crisis-words");
  const box = document.getElementById("crisis-live");
  if (!data || !box) return;
  const words = JSON.parse(data.textContent || "[]");
  const fields = document.querySelectorAll("textarea[name=body], input[name=subject]");
  const check = () => {
    const text = normalise(Array.from(fields).map((f) => f.value).join(" "));
    box.hidden = !words.some((word) => text.includes(word));
  };
  fields.forEach((field) => field.addEventListener("input", check));
  check();
}

function pollInbox() {
  const nav = document.getElementById("inbox-filters");
  if (!nav) return;
  let latest = nav.dataset.latest || "";
  const live = document.getElementById("inbox-live");
  const tick = async () => {
    try {
      const response = await fetch(nav.dataset.updates, {credentials: "same-origin",
                                                         headers: {Accept: "application/json"}});
      if (!response.ok) return;
      const data = await response.json();
      for (const [key, value] of Object.entries(data.counts)) {
        const tag = nav.querySelector(`[data-count="${key}"]`);
        const cap = Number(nav.dataset.countCap || 99);
        if (tag) tag.textContent = value > cap ? `${cap}+` : String(value);
      }
      if (data.latest !== latest) {
        latest = data.latest;
        const page = await fetch(window.location.href, {credentials: "same-origin"});
        const html = new DOMParser().parseFromString(await page.text(), "text/html");
        const fresh = html.getElementById("inbox-list");
        const list = document.getElementById("inbox-list");
        if (fresh && list) {
          list.replaceWith(fresh);
          if (live) live.textContent = nav.dataset.newWork || "New messages";
        }
      }
    } catch (error) {
      // Offline for a moment: try again on the next tick.
    }
  };
  window.setInterval(tick, Number(nav.dataset.interval || 10000));
}

function savedResponses() {
  // "Add to your reply" without a reload: the response's words at the end of the reply.
  document.querySelectorAll("button[data-saved-response]").forEach((button) => {
    button.addEventListener("click", (event) => {
      const source = document.getElementById(button.dataset.savedResponse);
      const box = button.form && button.form.querySelector("textarea[name=body]");
      if (!source || !box) return;
      event.preventDefault();
      const typed = box.value.replace(/\s+$/, "");
      box.value = typed ? `${typed}\n\n${source.textContent}` : source.textContent;
      box.dispatchEvent(new Event("input"));
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    });
  });
}

watchCrisisWords();
pollInbox();
savedResponses();
