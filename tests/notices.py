"""What the service's messages (the notification banners at the top of a page) say, as a
person reads them: a name within one runs in its own direction (`<span dir="auto">`), so a
test reads the words, not the markup around them."""

import re
from html import unescape

_BANNER = re.compile(r'<p class="govuk-notification-banner__heading">(.*?)</p>', re.S)


def words(markup):
    """What `markup` says, tags removed."""
    return unescape(re.sub(r"<[^>]+>", "", markup))


def notices(page):
    """The words of each message on `page`, in order."""
    return [words(said) for said in _BANNER.findall(page)]


def notice(page):
    """The words of the messages on `page`, one a line: for `in` checks."""
    return "\n".join(notices(page))
