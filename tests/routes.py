"""Every URL pattern the project serves, with an example path for each."""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

_CONVERTER_EXAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "x",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        pattern = str(entry.pattern)
        if isinstance(entry.pattern, RegexPattern):
            pattern = re.sub(r"\(\?P<\w+>[^)]*\)", "x", pattern).lstrip("^").rstrip("$")
        route = prefix + pattern
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            yield namespace + (entry.name or ""), route, entry


def _example(route):
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: _CONVERTER_EXAMPLES[m.group(1) or "str"], route)
    return "/" + route


def all_routes():
    """(name, example path, pattern) for every URL, admin included."""
    return [
        (name, _example(route), entry) for name, route, entry in _walk(get_resolver().url_patterns)
    ]
