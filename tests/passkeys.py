"""A software passkey for tests that use Django's test client: it answers the WebAuthn
options a page carries with what a browser and an authenticator would send back.

The browser tests use Chromium's own virtual authenticator instead (tests/browser/).
The test client's host is "testserver", so the relying party's id is "testserver"; the origin
is https://testserver, which fido2 accepts for that id (a browser sends the page's origin).
"""

import hashlib
import json
import os
import re
from html import unescape

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData

ORIGIN = "https://testserver"
_FLAGS_UP_UV = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV


def options_on(page_html, attribute="data-passkey-options"):
    """The WebAuthn options a page hands its script, as the script reads them."""
    found = re.search(rf'{attribute}="([^"]*)"', page_html)
    assert found, f"the page carries no {attribute}"
    data = json.loads(unescape(found.group(1)))
    # {"creation_options": ...} to add one, {"request_options": ...} to use one.
    [options] = list(data.values())
    return options


class SoftPasskey:
    """One credential on one authenticator, with user verification (a PIN or fingerprint)."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0
        self.user_handle = None

    def _client_data(self, kind, challenge):
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": ORIGIN, "crossOrigin": False}
        ).encode()

    def create(self, options):
        """navigator.credentials.create(options), as webauthn-json serialises its answer."""
        public = options["publicKey"]
        rp_hash = hashlib.sha256(public["rp"]["id"].encode()).digest()
        self.user_handle = public["user"]["id"]
        attested = AttestedCredentialData.create(
            b"\0" * 16, self.credential_id, ES256.from_cryptography_key(self.key.public_key())
        )
        auth_data = AuthenticatorData.create(
            rp_hash, _FLAGS_UP_UV | AuthenticatorData.FLAG.AT, self.sign_count, attested
        )
        attestation = AttestationObject.create("none", auth_data, {})
        return {
            "type": "public-key",
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": websafe_encode(
                    self._client_data("webauthn.create", public["challenge"])
                ),
                "attestationObject": websafe_encode(bytes(attestation)),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": False}},
        }

    def get(self, options):
        """navigator.credentials.get(options): a signed assertion."""
        public = options["publicKey"]
        allowed = [websafe_decode(c["id"]) for c in public.get("allowCredentials", [])]
        assert not allowed or self.credential_id in allowed, "this passkey was not asked for"
        self.sign_count += 1
        rp_hash = hashlib.sha256(public["rpId"].encode()).digest()
        auth_data = bytes(AuthenticatorData.create(rp_hash, _FLAGS_UP_UV, self.sign_count))
        client_data = self._client_data("webauthn.get", public["challenge"])
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "type": "public-key",
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": self.user_handle,
            },
            "clientExtensionResults": {},
        }


def register(user, name="Work laptop"):
    """A passkey already on `user`'s account, as if added on the security pages: the software
    passkey that signs with it, and its Authenticator row."""
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.webauthn.internal.auth import WebAuthn

    passkey = SoftPasskey()
    handle = websafe_encode(user_pk_to_url_str(user).encode())
    options = {"rp": {"id": "testserver"}, "user": {"id": handle}, "challenge": "cmVnaXN0ZXJlZA"}
    credential = passkey.create({"publicKey": options})
    return passkey, WebAuthn.add(user, name, credential).instance
