// Builds static/ from GOV.UK Frontend and frontend/. The output is committed so that a machine
// without Node runs the app; CI rebuilds it and fails if the committed files differ.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules/govuk-frontend/dist/govuk");
const out = join(root, "static");

mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const css = sass.compile(join(root, "frontend/application.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  sourceMap: false,
  quietDeps: true,
});
writeFileSync(join(out, "css/application.css"), css.css + "\n");

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "js/govuk-frontend.min.js"));
copyFileSync(join(root, "frontend/application.mjs"), join(out, "js/application.mjs"));
copyFileSync(join(root, "frontend/timeout.mjs"), join(out, "js/timeout.mjs"));
copyFileSync(join(root, "frontend/supported.js"), join(out, "js/supported.js"));
console.log("Built static/css/application.css and static/js/");
