// Warn a minute before an idle session ends, and let the person stay signed in.
// Without JavaScript the session still ends on the server; the sign-in page explains why.
const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content;

export function initSessionTimeout() {
  const seconds = Number(meta("portal-session-timeout"));
  const dialog = document.getElementById("session-timeout");
  if (!seconds || !dialog || typeof dialog.showModal !== "function") return;
  let warnTimer;
  let endTimer;
  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(() => dialog.showModal(), Math.max(seconds - 60, 1) * 1000);
    endTimer = setTimeout(() => { window.location.href = meta("portal-session-ended"); }, seconds * 1000);
  };
  dialog.addEventListener("click", async (event) => {
    const action = event.target.closest("[data-session-action]")?.dataset.sessionAction;
    if (action === "extend") {
      const response = await fetch(meta("portal-session-extend"), {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": meta("csrf-token") },
      });
      dialog.close();
      if (response.ok) schedule(); else window.location.href = meta("portal-session-ended");
    } else if (action === "sign-out") {
      document.querySelector(".nhsuk-header__account-form")?.submit();
    }
  });
  schedule();
}
