"""Authenticator secrets encrypted at rest.

allauth keeps each authenticator app's secret and each set of recovery codes' seed in its
`Authenticator.data`, through the MFA adapter's `encrypt` and `decrypt`. Here they are Fernet
tokens (AES-128-CBC with an HMAC), so a copy of the database or a backup does not hold what
makes a person's codes.

The keys come from `MFA_SECRET_KEYS`: the first encrypts, every one decrypts. To replace a key,
put the new one first, run `manage.py rotate_mfa_secrets`, then remove the old one (SECURITY.md).
"""

import base64
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac


def encrypt(text):
    return _fernet(tuple(settings.MFA_SECRET_KEYS)).encrypt(text.encode()).decode()


def decrypt(token):
    return _fernet(tuple(settings.MFA_SECRET_KEYS)).decrypt(token.encode()).decode()


def rotate(token):
    """The same secret encrypted with the first key."""
    return _fernet(tuple(settings.MFA_SECRET_KEYS)).rotate(token.encode()).decode()


@cache
def _fernet(keys):
    # Any string is a key: a Fernet key is derived from it, so a long random SECRET_KEY-like
    # value does, and no key's text is used as it is.
    derived = [
        salted_hmac("schools.secrets", "authenticator secrets", secret=key, algorithm="sha256")
        for key in keys
    ]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(d.digest())) for d in derived])


# What allauth keeps secret in each kind of authenticator's data.
_SECRET_FIELDS = {"totp": ["secret"], "recovery_codes": ["seed"]}
SECRET_TYPES = list(_SECRET_FIELDS)


def change_secrets(authenticator, change):
    """Apply `change` to each secret in an authenticator's data (recovery codes carried over from
    an older allauth are each encrypted too)."""
    data = authenticator.data
    for field in _SECRET_FIELDS.get(authenticator.type, []):
        if field in data:
            data[field] = change(data[field])
    if "migrated_codes" in data:
        data["migrated_codes"] = [change(code) for code in data["migrated_codes"]]
