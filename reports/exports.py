"""The audit report's downloads: CSV from the same tables as the page, and PDF from the page's
own HTML (WeasyPrint with its print stylesheet)."""

import csv
import io
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

from safeguarding.clock import written

# A spreadsheet runs a cell that starts with one of these as a formula: text typed by a user
# (a rationale, a name) must never run as one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The Government Security Classification a council gives a safeguarding record: the first line
# of every file downloaded, so a copy saved or forwarded says how it must be handled.
MARKING = "OFFICIAL-SENSITIVE"

# A4 pages, numbered, for the PDF. (The service's print stylesheet, which the PDF reads too,
# sets the same margins and numbers for every printed page; its own win in WeasyPrint, so
# what this adds is the A4 size.)
# Each page's head names whose report it is: the text of the page's `.app-running-head`.
PAGE = """
@page {
  size: A4;
  margin: 15mm 12mm;
  @top-right { content: string(running-head); font: 9pt arial; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9pt arial; }
}
.app-running-head { string-set: running-head content(); }
"""


def spreadsheet_safe(cell):
    """The cell's text, with a leading ' where a spreadsheet would run it as a formula."""
    text = str(cell)
    return "'" + text if text.startswith(_FORMULA_START) else text


class SafeWriter:
    """A CSV writer that passes every cell through `spreadsheet_safe`, headings and names
    included: a school's name, say, is typed by a person too. Its first line is the marking."""

    def __init__(self, out):
        self._writer = csv.writer(out)
        self._writer.writerow([MARKING])

    def writerow(self, cells):
        self._writer.writerow([spreadsheet_safe(cell) for cell in cells])

    def writerows(self, rows):
        for cells in rows:
            self.writerow(cells)


def report_csv(*, title, school, period, version, produced_at, sections, notes):
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow([title])
    writer.writerow(["School", school.name])
    writer.writerow(["Period", period.label])
    writer.writerow(["Version", version])
    # As the page says: the figures marked "now" are as at this moment.
    writer.writerow(["Produced on", written(produced_at)])
    for section in sections:
        for table in section.tables:
            writer.writerow([])
            writer.writerow([section.title, table.caption])
            writer.writerow(table.headers)
            if not table.rows:
                writer.writerow([table.empty])
            writer.writerows(table.rows)
            if table.note:
                writer.writerow([table.note])
    writer.writerow([])
    writer.writerow(["Notes"])
    writer.writerows([note] for note in notes)
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    return "\ufeff" + out.getvalue()


def _static_file(url):
    """The bytes of one of the service's own static files, named by its URL."""
    path = urlsplit(url).path
    if not path.startswith(settings.STATIC_URL):
        raise ValueError(f"Only the service's static files are read, not {url}")
    name = path.removeprefix(settings.STATIC_URL)
    # Development serves from the source folders; production from collectstatic's copies,
    # whose names carry a hash.
    found = finders.find(name)
    if found:
        with open(found, "rb") as handle:
            return name, handle.read()
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as handle:
            return name, handle.read()
    raise ValueError(f"No static file {name}")


def html_to_pdf(html, *, base_url):
    """The PDF of a page of this service, styled by its print stylesheet.

    WeasyPrint reads the service's own static files (the stylesheet) from disk and nothing
    else: it never makes a network request, whatever the HTML links to. It is imported here,
    not at start-up, because loading it takes a moment every process would otherwise pay.
    """
    # GOV.UK Frontend's width media queries are not read by WeasyPrint, which warns about each
    # one on every render (the PDF uses the narrow layout), and it reports its progress: not
    # news for the service's log. Set before the import, which already logs.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            name, body = _static_file(url)
            content_type = "text/css" if name.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    document = HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly())
    return document.write_pdf(stylesheets=[CSS(string=PAGE)], pdf_tags=True)
