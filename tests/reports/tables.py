"""Read the audit report's tables back out of its HTML and its CSV, to compare them."""

import csv
import io
from html.parser import HTMLParser


class _TableReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = {}
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html):
    """{table id: rows (the header row first), each a list of cell texts}."""
    reader = _TableReader()
    reader.feed(html)
    return reader.tables


def csv_tables(text):
    """{(section, caption): rows (the header row first)} from the report's CSV, in which each
    table is a block after a blank line, opened by a (section, caption) row."""
    blocks, block = [], []
    for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))):
        if row:
            block.append(row)
        elif block:
            blocks.append(block)
            block = []
    blocks.append(block)
    return {tuple(block[0]): block[1:] for block in blocks[1:] if len(block[0]) == 2}


def without_notes(rows):
    """Drop one-cell rows: notes under a table and 'None in this period.'."""
    return [row for row in rows if len(row) > 1]
