// Tells GOV.UK Frontend's CSS that its JavaScript will run, as GOV.UK's own snippet does: only
// in a browser that runs ES modules (application.mjs is one), so that in any other the
// follow-up questions of a choice stay on the page instead of hidden for a script that never
// comes. A static file, not an inline script, because the Content Security Policy forbids
// inline scripts.
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
