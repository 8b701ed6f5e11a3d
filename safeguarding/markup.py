"""Helpers for the few places that write many rows of HTML in Python, not in the template
language, for speed (the concern page, the chronology, the inbox and the hub queue). What they
write must be exactly what `{{ value }}`, a presenter's tag and `{% url %}` would have written;
each user has a test comparing the two byte for byte."""

import html

from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeData


def text(value):
    """What `{{ value }}` writes: localised, then escaped unless already safe."""
    if isinstance(value, SafeData):
        return str(value)
    if not isinstance(value, str):
        value = str(localize(value))
    return html.escape(value)


def typed(markup):
    """Words someone typed (a name, a reason; `markup` already escaped), among the page's own
    words: in Arabic or Urdu they run right to left within the sentence, neither jumbling it
    nor taking its full stop. What the `typed` filter writes."""
    return f'<span dir="auto">{markup}</span>'


_TAGS = {}


def cached_tag(presenter, value):
    """A presenter's status or urgency tag (format_html, costly when drawn for every row):
    there are a handful of values, so each tag is drawn once per process. Nothing about a
    child is kept: only a status and the markup for it."""
    key = (presenter, value)
    tag = _TAGS.get(key)
    if tag is None:
        tag = _TAGS[key] = presenter(value)
    return tag


def pk_url(name):
    """`reverse(name, args=[pk])` for a page of rows: a function of the pk, worked out with
    one reverse, for a URL pattern whose only argument is an integer primary key."""
    head, _, tail = reverse(name, args=[0]).rpartition("/0/")
    return lambda pk: f"{head}/{int(pk)}/{tail}"
