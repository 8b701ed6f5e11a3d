// Warns, two minutes before, that the session is about to end for want of a request, with a
// button to stay signed in (WCAG 2.2.1); and two minutes before it ends the time after signing
// in the page gives (data-session-length, in words), which cannot be put off. Without this
// script nothing is lost either: a form sent after the session ended is kept for its author
// until they sign in again.
const body = document.body;
const warnAfter = Number(body.dataset.sessionWarningAfter);
const endWarnAfter = Number(body.dataset.sessionEndWarningAfter ?? Number.NaN);
const keepAlive = body.dataset.keepAlive;
const sessionLength = body.dataset.sessionLength;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function warning(onStay) {
  const banner = element("div", "govuk-notification-banner app-session-warning");
  banner.setAttribute("role", "alert");
  banner.setAttribute("aria-labelledby", "session-warning-title");
  const header = element("div", "govuk-notification-banner__header");
  const title = element("h2", "govuk-notification-banner__title", "Important");
  title.id = "session-warning-title";
  header.append(title);
  const content = element("div", "govuk-notification-banner__content");
  const heading = element(
    "p",
    "govuk-notification-banner__heading",
    "You will be signed out in 2 minutes",
  );
  const text = element(
    "p",
    "govuk-body",
    "You have not done anything on the service for a while. If you are signed out, what " +
      "you have typed is kept for when you sign in again.",
  );
  content.append(heading, text);
  const stay = element("button", "govuk-button", "Stay signed in");
  stay.type = "button";
  stay.addEventListener("click", onStay);
  content.append(stay);
  banner.append(header, content);
  return { banner, heading, text, stay };
}

if (keepAlive && Number.isFinite(warnAfter)) {
  let timer;
  const schedule = () => {
    timer = window.setTimeout(show, warnAfter * 1000);
  };
  const show = () => {
    const before = document.activeElement;
    const { banner, heading, text, stay } = warning(async () => {
      // Not following a redirect: signed out already, the service answers with the sign-in
      // page, which would look like success.
      const response = await fetch(keepAlive, {
        credentials: "same-origin",
        redirect: "manual",
      }).catch(() => null);
      if (response?.type === "opaqueredirect") {
        heading.textContent = "You have been signed out";
        text.textContent =
          "What you have typed on this page is kept: send it, sign in again, and it is " +
          "shown to you to check and send.";
        stay.remove();
        banner.tabIndex = -1; // the button had focus: keep it in the banner, not the page's top
        banner.focus();
        return;
      }
      if (!response?.ok) {
        text.textContent =
          "The service could not be reached. Try again in a moment. If you are signed out, " +
          "what you have typed is kept for when you sign in again.";
        return;
      }
      banner.remove();
      if (before && before !== document.body) before.focus();
      window.clearTimeout(timer);
      schedule();
    });
    const main = document.getElementById("main-content") || body;
    main.prepend(banner);
    stay.focus();
  };
  schedule();
  if (Number.isFinite(endWarnAfter)) {
    window.setTimeout(() => {
      window.clearTimeout(timer);
      document.querySelector(".app-session-warning")?.remove();
      const { banner, text, stay } = warning(() => {});
      text.textContent =
        `For your security, everyone is signed out ${sessionLength} after signing in. What ` +
        "you have typed is kept for when you sign in again.";
      stay.remove();
      (document.getElementById("main-content") || body).prepend(banner);
    }, endWarnAfter * 1000);
  }
}
