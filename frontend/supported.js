// Tells GOV.UK Frontend's CSS that its JavaScript will run. A static file, not an inline
// script, because the Content Security Policy forbids inline scripts.
document.body.classList.add("govuk-frontend-supported");
