"""Every form, fuzzed through its page with hypothesis, as the person who uses it.

Each example starts from a submission the form accepts (tests/security/pages.py) and spoils
some of it: long text, any Unicode (right-to-left, combining marks, emoji), NUL and control
characters, HTML and script, SQL metacharacters, impossible dates, huge numbers, fields
missing, repeated or unexpected. The page must never fail (500); it answers with the form and
its messages, a redirect, or a clean refusal; and neither it nor any page that shows what was
saved carries markup from the input (no script, no event handler, no javascript: link).

Examples per form: the hypothesis profile (tests/conftest.py): 200 in CI, fewer locally.
Each example runs in a savepoint that is rolled back, so examples are independent.
"""

import importlib
import os
import pkgutil
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils.module_loading import import_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.models import User
from tests.factories import PASSWORD
from tests.routes import all_routes

from .conftest import Visitor
from .pages import ALLAUTH_NOT_USED, ANONYMOUS, BASES, FORM_PAGES
from .world import PDF

APPS = ["safeguarding", "schools", "concerns", "advice", "workflow", "audit", "reports"]


def dotted(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def project_forms():
    """Every form class defined in the project's own modules."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    found, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
    return found


def allauth_forms():
    """The form of every allauth page the service serves, as configured here."""
    from allauth.account import app_settings as account_settings
    from allauth.mfa import app_settings as mfa_settings

    configured = {**account_settings.FORMS, **mfa_settings.FORMS}.values()
    overrides = [import_string(f) if isinstance(f, str) else f for f in configured]
    found = set()
    for _, _, entry in all_routes():
        form = getattr(getattr(entry.callback, "view_class", None), "form_class", None)
        if form is not None:
            found.add(next((o for o in overrides if issubclass(o, form)), form))
    return found


def test_every_form_is_fuzzed():
    known = {dotted(cls) for cls in FORM_PAGES} | BASES | set(ALLAUTH_NOT_USED)
    found = {dotted(cls) for cls in project_forms() | allauth_forms()}
    missing = sorted(found - known)
    assert not missing, f"forms with no entry in tests/security/pages.py: {missing}"
    assert not known - found, f"entries for forms that no longer exist: {sorted(known - found)}"


# What the fuzz sends.

MARKUP = [
    "<script>fz()</script>",
    '"><script>fz()</script>',
    "</textarea><script>fz()</script>",
    '"><img src=x onerror=fz()>',
    "'><svg onload=fz()>",
    "<fz-mark>",
    "javascript:fz()",
    "JaVaScRiPt:fz()//https://example.org",
    "{{ fz }}{% debug %}",
]
SQL = ["' OR '1'='1", "1; DROP TABLE concerns_concern; --", "%", "_", "\\", "' --", '"']
DATE_PARTS = [
    "0",
    "00",
    "31",
    "2",
    "29",
    "13",
    "99999",
    "-1",
    "1e3",
    "\u0663",
    "\uff11\uff12",  # Arabic-Indic 3, full-width 12
    " 7 ",
    "7\n",
]
NUMBERS = [str(10**40), str(-(10**40)), "1.5", "NaN", "inf", "0x10", "", " "]
CHARACTERS = st.characters(exclude_categories=["Cs"])  # anything UTF-8 can carry
RTL, COMBINING, EMOJI = "\u202eevil\u202c مرحبا", "Zoe\u0308\u0301\u20dd", "🧒🏽‍🦱👨‍👩‍👧"

text = st.one_of(
    st.text(CHARACTERS, max_size=40),
    st.sampled_from(MARKUP + SQL + DATE_PARTS + NUMBERS + [RTL, COMBINING, EMOJI]),
    st.text(st.sampled_from("\x00\x01\x08\x0b\x1b\x7f\u200b\ufeff\r\n\t"), min_size=1, max_size=5),
    st.builds(lambda a, b: a + b, st.sampled_from(MARKUP), st.text(CHARACTERS, max_size=10)),
    st.integers(1_000, 25_000).map(lambda n: "Ω" * n),
)


@st.composite
def submission(draw, valid, names):
    """The valid submission, each field kept, spoiled, dropped or sent twice, plus strays."""
    data = {}
    for name in names:
        kept = valid.get(name)
        how = draw(st.sampled_from(["keep", "keep", "spoil", "spoil", "drop", "twice"]))
        if how == "keep" and kept is not None:
            data[name] = kept
        elif how == "spoil" or (how == "keep" and kept is None):
            data[name] = draw(text)
        elif how == "twice":
            data[name] = [draw(text), kept if isinstance(kept, str) else draw(text)]
    strays = draw(st.dictionaries(st.text(CHARACTERS, min_size=1, max_size=8), text, max_size=2))
    return {**strays, **data}


@st.composite
def upload(draw, kind):
    """A file: a PDF, a CSV of pupils, or bytes, under a name that may be anything."""
    name = draw(
        st.one_of(st.just(f"file.{kind}"), text.map(lambda t: f"{t}.{kind}"), text).filter(
            lambda name: os.path.basename(name) not in {"", ".", ".."}  # the client needs one
        )
    )
    if kind == "csv":
        cells = st.lists(st.one_of(text, st.just("A821300121001")), min_size=5, max_size=6)
        rows = draw(st.lists(cells, min_size=0, max_size=3))
        body = "UPN,Forename,Surname,Date of Birth,Year\n" + "\n".join(",".join(r) for r in rows)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
        content = draw(
            st.one_of(
                st.just(body.encode(encoding, errors="replace")),
                st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbf" + b),  # says UTF-8
            )
        )
    else:
        content = draw(st.one_of(st.just(PDF), st.binary(max_size=200), st.just(b"")))
    return SimpleUploadedFile(name, content, draw(st.sampled_from(["", "text/csv", "x/y"])))


# What the answer must be.


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, as a browser would read them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_no_markup_from_input(response, where):
    """No element, event handler, javascript: link or inline script that could come from
    what was typed. The service's own pages have none (its CSP forbids inline script)."""
    for tag, attrs in Tags(response.content.decode(errors="replace")).tags:
        assert tag != "fz-mark", f"{where}: unescaped markup"
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"{where}: <{tag}> with {handlers}"
        for name in ("href", "src", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith("javascript:"), f"{where}: <{tag} {name}={value}>"
        if tag == "script":
            assert attrs.get("src"), f"{where}: an inline script"


def check(response, readers, page, w):
    """The answer to the submission, and every page that shows what it saved.
    `readers(role)` is a signed-in client for `role` (None: the submitter)."""
    assert response.status_code in {200, 302, 303, 400}, response.status_code
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        assert_no_markup_from_input(response, "the form's page")
    if response.status_code in {302, 303}:
        # A search's results (303) are at an address with a token for it: the page then shows
        # what was typed again, from the session.
        location = urlsplit(response["Location"])
        there = location.path + (f"?{location.query}" if response.status_code == 303 else "")
        shown = [there, *page.shown_on(w)]
        for url in shown:
            role, url = url if isinstance(url, tuple) else (None, url)
            again = readers(role).get(url)
            assert again.status_code in {200, 302}, (url, again.status_code)
            assert_no_markup_from_input(again, url)


# The fuzzing.


@pytest.fixture(scope="module")
def fuzz_world(world, django_db_blocker):
    """Argon2 is slow on purpose; these tests check what forms do with input, so passwords are
    checked with a fast hasher here."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=fast), django_db_blocker.unblock():
        User.objects.update(password=make_password(PASSWORD))
        for user in [*world.people.values(), world.newcomer]:
            user.refresh_from_db()
        yield world


def person(w, role):
    if role == ANONYMOUS:
        return None
    return w.newcomer if role == "newcomer" else w.user(role)


def input_names(form_class):
    names = []
    for name, field in form_class.base_fields.items():
        if isinstance(field.widget, forms.MultiWidget):
            names += [f"{name}{suffix}" for suffix in field.widget.widgets_names]
        else:
            names.append(name)
    return names


@pytest.mark.parametrize("form_class", sorted(FORM_PAGES, key=dotted), ids=dotted)
def test_a_fuzzed_form_never_fails_and_never_echoes_markup(db, fuzz_world, form_class):
    w, page = fuzz_world, FORM_PAGES[form_class]
    visitor = Visitor(person(w, page.role))
    valid = page.valid(w) | ((page.ready and page.ready(visitor.client, w)) or {})
    names = [n for n in dict.fromkeys([*valid, *input_names(form_class)]) if n not in page.files]
    url = page.url(w)
    kind = "csv" if form_class.__name__ == "PupilImportForm" else "pdf"
    files = {name: upload(kind) for name in page.files}

    clients = {None: visitor.client}

    def readers(role):
        if role not in clients:
            clients[role] = Visitor(w.user(role)).client
        return clients[role]

    @settings(
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=submission(valid, names), uploads=st.fixed_dictionaries(files))
    def fuzz(data, uploads):
        visitor.request(
            page.method,
            url,
            data | uploads,
            then=lambda response: check(response, readers, page, w),
        )

    fuzz()
