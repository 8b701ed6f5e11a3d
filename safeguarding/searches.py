"""Searches for a child, kept out of addresses.

What someone types into a search box is usually a child's name or UPN. In an address
(`?q=Amelia+Ahmed`) it would stay in the browser history of a shared staff-room computer, go
out in the Referer header, and be written to the server's and every proxy's access log. So a
page's search box is sent by POST: the page keeps the words in the person's own session under a
short random token and redirects to itself with `?search=<token>`, and any filters that name no
one (`show_results`, POST/redirect/GET). The page then reads the words back from the session
(`recall`), and its paging links carry the token, never the words.

A session keeps its last few searches only, each for the page it was made on. A token the
session does not hold (another person's, an old bookmark, one from before signing out) and an
old address with `?q=` search for nothing: the page opens without the search and says to search
again (`searchable`).
"""

import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils.http import urlencode

SESSION_KEY = "searches"
PARAM = "search"
OLD_PARAM = "q"  # where the words once went, in addresses still bookmarked
KEPT = 10  # searches a session keeps
MAX_LENGTH = 100
EXPIRED = "Your search has expired. Search again."
# The apostrophes a name may be typed with: a keyboard's straight one, and the curly one (or its
# left-hand twin, or the modifier letter) that a phone, Word or an MIS puts in its place. A name
# on the roll with either is found by a search typed with the other.
APOSTROPHES = "'\u2019\u2018\u02bc"
# The dashes Word or an MIS puts where a hyphen was typed: the en and em dashes, the Unicode
# hyphen and its non-breaking twin, the figure dash and the minus sign.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
# What a typed word may have that a name on the roll need not (dropped), and what a name may
# have between its letters that a typed word need not (passed over). A hyphen leads its set,
# where it stands for itself.
_PUNCTUATION = "-.," + APOSTROPHES + DASHES
_PASSED_OVER = f"-. \u00a0{APOSTROPHES}{DASHES}"


class SearchField(forms.CharField):
    """A search box for a name or UPN: optional, and without NUL characters (which no name
    holds and PostgreSQL refuses), dropped rather than refused."""

    def __init__(self, *, label, **kwargs):
        super().__init__(
            label=label,
            required=False,
            max_length=MAX_LENGTH,
            error_messages={
                "max_length": f"The name or UPN must be {MAX_LENGTH} characters or fewer"
            },
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\x00", "")
        return super().to_python(value)


def _letters_like(letter):
    """Every way `letter` may be written in a name on the roll: either case, with or without an
    accent."""
    base = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
    base = (base if len(base) == 1 else letter).lower()
    base = _UNDECOMPOSED.get(base, base)
    ways = {letter, base, *_ACCENTED.get(base, ())}
    return {way for written in ways for way in (written.lower(), written.upper()) if len(way) == 1}


def _accented():
    """Each letter a to z -> the Latin letters that are it with an accent (é, ë, ě, ẽ ...)."""
    found = {}
    for point in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        letter = chr(point)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base.isascii() and base.isalpha() and base != letter:
            found.setdefault(base.lower(), set()).add(letter)
    for letter, base in _UNDECOMPOSED.items():
        found[base] |= {letter, letter.upper()}
    return found


# Letters Unicode does not write as a letter and an accent, which an English keyboard types as
# the letter alone: Łukasz as Lukasz, Søren as Soren.
_UNDECOMPOSED = {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "\u0131": "i", "ħ": "h", "ŧ": "t"}
_ACCENTED = _accented()


def name_contains(word, *fields):
    """A filter: one of `fields` contains `word` as a person may type it for a name on the roll.

    Typed on an English keyboard, a name loses its accents (Zoe, Jose Garcia, Lukasz), its
    apostrophes and hyphens (OBrien, Smithjones), and copied from a list written surname
    first, gains a comma (Ahmed, Amelia). So case and accents are ignored, the word's
    punctuation is dropped, and the name's own apostrophes, hyphens, full stops and spaces
    between its letters are passed over. A regular expression of the word's letters does it on
    both databases alike, with each letter's cases spelt out rather than left to the database's
    locale; any other character typed (a %, a digit) is itself."""
    letters = [
        char
        for char in unicodedata.normalize("NFC", word)
        if char not in _PUNCTUATION and unicodedata.category(char) != "Cf"
    ]
    if not letters:
        return Q()
    parts = []
    for letter in letters:
        ways = _letters_like(letter) if letter.isalpha() else set()
        parts.append(f"[{''.join(sorted(ways))}]" if len(ways) > 1 else re.escape(letter))
    pattern = f"[{_PASSED_OVER}]*".join(parts)
    found = Q()
    for field in fields:
        found |= Q(**{f"{field}__regex": pattern})
    return found


def as_upn(text):
    """`text` as the UPN it would be, typed in small letters or in groups ('a821 2001 00001'),
    as the pupil form tidies one."""
    return "".join(text.split()).upper()


@dataclass(frozen=True)
class Search:
    """What was searched for on this page, and the token that stands for it in its address."""

    text: str = ""
    token: str = ""

    @property
    def query(self):
        """The address's query that shows this search again ('' for none)."""
        return "?" + urlencode({PARAM: self.token}) if self.token else ""


def _kept(request):
    return request.session.get(SESSION_KEY, [])


def recall(request):
    """The search this page's address names, from the session; an empty Search if none."""
    token = request.GET.get(PARAM, "")
    for kept_token, path, text in _kept(request):
        if token and kept_token == token and path == request.path:
            return Search(text, token)
    return Search()


def _keep(request, text):
    """A token for `text` on this page, kept with the session's last few searches (the same
    words searched again keep their token)."""
    kept = _kept(request)
    token = next(
        (t for t, path, words in kept if (path, words) == (request.path, text)),
        None,
    ) or secrets.token_urlsafe(8)
    others = [entry for entry in kept if entry[0] != token]
    request.session[SESSION_KEY] = [*others[-(KEPT - 1) :], [token, request.path, text]]
    return token


def show_results(request, text, filters=()):
    """After a search box is sent: a redirect (303) to this page with `filters` (pairs that
    name no one) and a token for `text`; with no token if `text` is empty, which clears it."""
    params = [(name, value) for name, value in filters if value not in (None, "")]
    if text:
        params.append((PARAM, _keep(request, text)))
    url = request.path + ("?" + urlencode(params) if params else "")
    return HttpResponseRedirect(url, status=303)


def searchable(view):
    """For a page with a search box: an address naming a search this session does not hold,
    or one with an old `?q=`, opens the page without it (and at its first page), with a
    message to search again. Never an error: the token may simply have outlived its session."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        stale = PARAM in request.GET and not recall(request).token
        if request.method == "GET" and (stale or OLD_PARAM in request.GET):
            messages.info(request, EXPIRED)
            query = request.GET.copy()
            for name in (PARAM, OLD_PARAM, "after", "before"):
                query.pop(name, None)
            return HttpResponseRedirect(request.path + ("?" + query.urlencode() if query else ""))
        return view(request, *args, **kwargs)

    return wrapped
