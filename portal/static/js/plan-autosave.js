// Plans: keep a draft as the person types (debounced), with a visible status. Without
// JavaScript the "Keep as a draft" button does the same. Loaded as a same-origin module,
// so it passes the Content-Security-Policy (script-src 'self').
const form = document.getElementById("plan-section-form");
const status = document.getElementById("autosave-status");
const url = status && status.dataset.autosaveUrl;
const WAIT_MS = 1500;
let timer = null;
let inFlight = false;

async function saveDraft() {
  if (inFlight) { timer = setTimeout(saveDraft, WAIT_MS); return; }
  inFlight = true;
  const body = new FormData(form);
  body.set("action", "draft");
  try {
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin",
                                        headers: { "Accept": "application/json" } });
    const answer = await response.json();
    status.textContent = answer.message;
  } catch (error) {
    status.textContent = status.dataset.failed || "Not saved";
  } finally {
    inFlight = false;
  }
}

if (form && url) {
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(saveDraft, WAIT_MS);
  });
}
