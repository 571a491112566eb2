// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";
import { initSessionTimeout } from "./session-timeout.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
initSessionTimeout();
