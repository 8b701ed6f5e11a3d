"""Authenticator secrets are encrypted at rest: a copy of the database does not hold what makes a
person's codes, and the key can be replaced without anyone setting their app up again."""

import importlib
import json
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.utils import decrypt
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from schools import secrets
from schools.models import Role
from tests.factories import TOTP_SECRET, member

from .test_sign_in import sign_in

encryption = importlib.import_module("schools.migrations.0002_encrypt_authenticator_secrets")


def _app(user):
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)


def _signs_in(user):
    return sign_in(Client(), user.email)["Location"] == reverse("home")


def test_an_authenticator_apps_secret_is_not_kept_in_the_clear(dsl):
    stored = json.dumps(_app(dsl).data)
    assert TOTP_SECRET not in stored
    assert _signs_in(dsl)


def test_recovery_codes_are_not_kept_in_the_clear(client, dsl):
    codes = RecoveryCodes.activate(dsl)
    stored = Authenticator.objects.get(user=dsl, type="recovery_codes").data["seed"]
    seed = secrets.decrypt(stored)  # a token under the key, not the seed itself
    assert seed != stored
    assert seed not in json.dumps(Authenticator.objects.get(user=dsl, type="recovery_codes").data)
    response = sign_in(client, dsl.email, code=codes.get_unused_codes()[0])
    assert response["Location"] == reverse("home")


def test_a_key_is_replaced_without_anyone_setting_their_app_up_again(settings, school):
    settings.MFA_SECRET_KEYS = ["the-old-key-" + "x" * 40]
    dsl = member(Role.DSL, school)
    settings.MFA_SECRET_KEYS = ["the-new-key-" + "y" * 40, *settings.MFA_SECRET_KEYS]
    assert decrypt(_app(dsl).data["secret"]) == TOTP_SECRET  # the old key decrypts it still
    call_command("rotate_mfa_secrets", stdout=StringIO())
    settings.MFA_SECRET_KEYS = settings.MFA_SECRET_KEYS[:1]
    assert _signs_in(dsl)


def test_rotating_after_removing_the_old_key_too_soon_fails_clearly_and_changes_nothing(
    settings, school
):
    # The operator replaced the key instead of putting the new one first: a traceback
    # (InvalidToken) said nothing of what to do.
    settings.MFA_SECRET_KEYS = ["the-old-key-" + "x" * 40]
    dsl = member(Role.DSL, school)
    before = _app(dsl).data
    settings.MFA_SECRET_KEYS = ["the-new-key-" + "y" * 40]
    with pytest.raises(CommandError, match=r"MFA_SECRET_KEYS.*Nothing was changed"):
        call_command("rotate_mfa_secrets", stdout=StringIO())
    assert _app(dsl).data == before


def test_without_its_key_a_secret_cannot_be_read(settings, school):
    dsl = member(Role.DSL, school)
    settings.MFA_SECRET_KEYS = ["another-key-" + "z" * 40]
    with pytest.raises(ImproperlyConfigured, match="MFA_SECRET_KEYS"):
        sign_in(Client(), dsl.email)


def test_secrets_kept_in_the_clear_before_are_encrypted_once(school):
    dsl = member(Role.DSL, school, mfa=False)
    Authenticator.objects.create(user=dsl, type="totp", data={"secret": TOTP_SECRET})
    encryption._change_every_secret(encryption._encrypted)(apps, None)
    encrypted = _app(dsl).data["secret"]
    assert encrypted != TOTP_SECRET
    encryption._change_every_secret(encryption._encrypted)(apps, None)  # run again: unchanged
    assert _app(dsl).data["secret"] == encrypted
    assert _signs_in(dsl)
    encryption._change_every_secret(encryption._in_the_clear)(apps, None)
    assert _app(dsl).data["secret"] == TOTP_SECRET
