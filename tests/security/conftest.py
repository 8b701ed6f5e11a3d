"""The security tests share one world per module: it is built once, inside a transaction that
is rolled back when the module ends, and every request a test makes runs in a savepoint that
is rolled back after it, so no request can change what the next one sees."""

import copy
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.factories import signed_in

from .world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@contextmanager
def rolled_back():
    """Whatever happens inside is undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class Visitor:
    """A test client for one persona whose requests leave nothing behind: each runs in a
    savepoint that is rolled back, and the session cookie is put back afterwards (signing
    out, for one, would otherwise end the session for the rest of the test)."""

    def __init__(self, user=None):
        self.client = Client()
        if user is not None:
            signed_in(self.client, user)

    def request(self, method, path, data=None, *, then=None, **extra):
        """The response; `then(response)` runs before the rollback, to look at what the
        request wrote."""
        cookies = copy.deepcopy(self.client.cookies)
        try:
            with rolled_back():
                response = getattr(self.client, method.lower())(path, data or {}, **extra)
                if then is not None:
                    then(response)
                return response
        finally:
            self.client.cookies = cookies
