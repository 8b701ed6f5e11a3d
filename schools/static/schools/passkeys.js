/* Passkeys (WebAuthn) on the service's pages, without inline script (the CSP forbids it).

   A page marks the start of a passkey ceremony with an element carrying
   data-passkey="add" or "authenticate", data-passkey-options (the server's WebAuthn options)
   and data-passkey-credential (the id of the hidden field the answer goes in); it sits inside
   a hidden container [data-passkey-start]. allauth's webauthn.js does the ceremony and posts
   the form. Without JavaScript, or in a browser without WebAuthn, the containers stay hidden
   and the page's [data-passkey-fallback] text says the authenticator app still works. */
(function () {
  'use strict'
  var allauth = window.allauth
  var forms = allauth && allauth.webauthn && allauth.webauthn.forms
  if (!forms || !window.PublicKeyCredential || !window.webauthnJSON) {
    return
  }

  function each (selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn)
  }

  // Cancelled, timed out, or no matching passkey on this device: say so in the page, not
  // only in the console.
  document.addEventListener('allauth.error', function (event) {
    event.preventDefault()
    each('[data-passkey-error]', function (el) {
      el.hidden = false
      el.focus()
    })
  })

  each('[data-passkey]', function (button) {
    var data = JSON.parse(button.getAttribute('data-passkey-options'))
    var ids = { credential: button.getAttribute('data-passkey-credential') }
    if (button.getAttribute('data-passkey') === 'add') {
      ids.add = button.id
      forms.addForm({ ids: ids, data: data })
    } else {
      ids.authenticate = button.id
      forms.authenticateForm({ ids: ids, data: data })
    }
  })
  each('[data-passkey-start]', function (el) { el.hidden = false })
  each('[data-passkey-fallback]', function (el) { el.hidden = true })
})()
