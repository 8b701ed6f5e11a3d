// Progressive enhancement only: every page works without this file.
import { initAll } from "./govuk-frontend.min.js";
import "./timeout.mjs";

initAll();
