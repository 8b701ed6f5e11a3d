"""Searching as a person does: the search box is sent by POST and the page answers with a
redirect to its results, at an address holding a token for the search (never its words)."""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, unquote_plus, urlsplit


def search(client, url, text, **filters):
    """Send `text` (and any other of the form's fields) through the search box on the page at
    `url`: the address of the results the page redirects to."""
    response = client.post(url, {"q": text, **filters})
    assert response.status_code == 303, (response.status_code, response.content[:2000])
    location = response["Location"]
    assert urlsplit(location).path == urlsplit(url).path
    return location


class _Addresses(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "action", "formaction", "src"} and value is not None:
                self.found.append(value)


def addresses(html):
    """Every address in a page: its links, form actions and sources, as a browser reads them."""
    return _Addresses(html).found


def assert_no_words_in(address, *words):
    """Neither `words` (any case, however encoded) nor a `q=` are in `address`."""
    plain = unquote_plus(address).lower()
    names = [name for name, _ in parse_qsl(urlsplit(address).query, keep_blank_values=True)]
    assert "q" not in names, address
    for word in words:
        assert word.lower() not in plain, (word, address)
