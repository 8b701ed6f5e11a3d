"""Reading a pupil list exported from a school's MIS (SIMS, Arbor, Bromcom...) as CSV.

The UPN is the key. A UPN already on the school's roll updates that pupil's name, date of
birth and year group (a termly re-import moves pupils up a year), so re-importing never
duplicates anyone; a row that changes nothing is reported as already on the roll. A UPN
that appears on more than one line is refused on every such line: which is right is for a
person to decide. So is a new UPN given to a child the roll holds under another (the same
name and date of birth): a temporary UPN replaced would otherwise put them on it twice.
Nothing is written until the DSL has seen the preview and confirmed it, and the rows are
checked again against the roll when they do.

Encodings: UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark (Excel's
"Unicode text") are read as they are. Any other bytes are read as Windows-1252, what Excel on
Windows writes for "CSV", and the preview says so, so that a name like "Zoë" can be checked.
"""

import csv
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.log import record as audit
from concerns.roll import details_version
from safeguarding import clock
from safeguarding.forms import month_number
from safeguarding.searches import APOSTROPHES
from safeguarding.uploads import written_size
from schools.models import Pupil
from schools.validators import validate_upn, year_group_misfit

MAX_ROWS = 10_000
UPDATED_FIELDS = ["given_name", "family_name", "date_of_birth", "year_group"]
COLUMNS = {
    "upn": "UPN",
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "year_group": "year group",
}
# Header spellings seen in MIS exports, compared lower-case with spaces and punctuation removed.
HEADERS = {
    "upn": {"upn", "uniquepupilnumber", "pupilupn"},
    "given_name": {
        "givenname",
        "forename",
        "forenames",
        "firstname",
        "legalforename",
        "legalfirstname",
    },
    "family_name": {"familyname", "surname", "lastname", "legalsurname", "legallastname"},
    "date_of_birth": {"dateofbirth", "dob", "birthdate", "birthday"},
    "year_group": {"yeargroup", "year", "ncyear", "ncyearactual", "nationalcurriculumyear", "yr"},
}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
# A date column exported or saved as a date and time ends with midnight: 17/05/2016 00:00.
_MIDNIGHT = re.compile(r"(?:\s+|T)00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?$")
# Excel's long UK date styles: 17 May 2016, 17-May-2016, 17 Sept 2016.
_NAMED_MONTH = re.compile(r"^(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s-]+(\d{4})$", re.IGNORECASE)
_YEAR = re.compile(r"^(?:year|yr|y|nc)?\s*0*(\d{1,2})$")
# A date of birth in numbers with the year last: 17/05/2016, or 05/17/2016 from a file written
# month first.
_NUMBERS = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
OLDEST_AGE = 25


class ImportRefused(Exception):
    """The file as a whole cannot be read; nothing in it was looked at further."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    line: int
    upn: str
    given_name: str
    family_name: str
    date_of_birth: str  # ISO, so the row can wait in the session
    year_group: str
    pupil_id: int | None = None
    # The pupil's details as the preview showed them (concerns.roll.details_version).
    drawn: str = ""
    # What the file would change of the pupil on the roll: (what, as it was) pairs.
    changes: list = field(default_factory=list)

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def before(self):
        """The changes as the preview says them ("name was ...; year group was Year 4"), in
        pieces for `with_typed`: the name on the roll, as it was typed, apart from the
        service's words, so that one in Arabic or Urdu keeps its own direction."""
        said = []
        for change in self.changes:
            if said:
                said.append(("; ", False))
            if isinstance(change, str):  # a preview kept from before the name was apart
                said.append((change, False))
                continue
            what, was = change
            said += [(f"{what} was ", False), (was, what == "name")]
        return said

    @property
    def date(self):
        return date.fromisoformat(self.date_of_birth)

    @property
    def year_group_label(self):
        return Pupil.YearGroup(self.year_group).label


@dataclass
class Preview:
    new: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    # (line, reason): a reason naming a pupil is in pieces for `with_typed`, the name apart.
    errors: list = field(default_factory=list)
    encoding_note: str = ""

    @property
    def to_import(self):
        return self.new + self.updates

    def to_session(self):
        return {
            "rows": [asdict(row) for row in self.to_import],
            "counts": {
                "new": len(self.new),
                "updates": len(self.updates),
                "unchanged": len(self.unchanged),
                "errors": len(self.errors),
            },
        }


NOT_TEXT = (
    "The file could not be read as text. Save it from your MIS or spreadsheet as "
    "'CSV UTF-8' and upload it again."
)


def _decode(data):
    """The file's text, and a note for the DSL if its encoding was a guess. A NUL character
    is part of no name, and PostgreSQL cannot store one: a file holding one is not text."""
    text, note = _text(data)
    if "\x00" in text:
        raise ImportRefused(NOT_TEXT)
    return text, note


def _text(data):
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8", errors="strict"), ""
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), ""
    except UnicodeDecodeError:
        raise ImportRefused(NOT_TEXT) from None
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    note = (
        "The file was not saved as UTF-8, so it was read as Windows Western European text. "
        "Check that names with accents (for example Zoë or Łukasz) look right below."
    )
    try:
        return data.decode("cp1252"), note
    except UnicodeDecodeError:
        return data.decode("latin-1"), note


def _is_binary(data):
    guess = filetype.guess(data[:8192])
    return guess is not None


def _normalise(header):
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _columns(header_row):
    """Which column holds each field, or ImportRefused naming the ones missing."""
    positions = {}
    for index, header in enumerate(header_row):
        key = _normalise(header)
        for name, spellings in HEADERS.items():
            if key in spellings and name not in positions:
                positions[name] = index
    missing = [COLUMNS[name] for name in COLUMNS if name not in positions]
    if missing:
        raise ImportRefused(
            "The first row of the file must be the column headings: UPN, given name, family "
            f"name, date of birth and year group. Missing: {', '.join(missing)}."
        )
    return positions


def parse_date(text):
    text = _MIDNIGHT.sub("", text.strip())
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    named = _NAMED_MONTH.match(text)
    if named:
        day, month, year = named.groups()
        # The month's name in full, or its first three or four letters (Sept), read as the
        # service's date boxes read it.
        try:
            return date(int(year), month_number(month), int(day))
        except ValueError:
            return None
    return None


def parse_year_group(text):
    text = text.strip().lower()
    if text in {"r", "rec", "reception", "yr r", "year r"}:
        return Pupil.YearGroup.RECEPTION
    if text in {"n", "n1", "n2", "nursery", "nur"}:
        return Pupil.YearGroup.NURSERY
    match = _YEAR.match(text)
    if match and match.group(1).lstrip("0") in {str(n) for n in range(1, 14)}:
        return Pupil.YearGroup(match.group(1).lstrip("0"))
    return None


def check_row(line, values, *, today=None):
    """A clean Row from one line's values, or ValidationError listing what is wrong with it."""
    today = today or timezone.localdate()
    problems = []
    upn = "".join(values["upn"].split()).upper()  # tidied as the pupil form tidies it
    if not upn:
        problems.append("the UPN is missing")
    else:
        try:
            validate_upn(upn)
        except ValidationError as error:
            problems.append(error.messages[0].rstrip("."))
    names = {}
    for key, label in (("given_name", "given name"), ("family_name", "family name")):
        names[key] = " ".join(values[key].split())
        if not names[key]:
            problems.append(f"the {label} is missing")
        elif len(names[key]) > 100:
            problems.append(f"the {label} is longer than 100 characters")
    born = parse_date(values["date_of_birth"])
    if not values["date_of_birth"].strip():
        problems.append("the date of birth is missing")
    elif born is None:
        problems.append(
            f"the date of birth '{values['date_of_birth'].strip()}' is not a date like "
            "17/05/2016 or 2016-05-17"
        )
    elif born >= today:
        problems.append("the date of birth must be in the past")
    elif born.year < today.year - OLDEST_AGE:
        problems.append(f"the date of birth is more than {OLDEST_AGE} years ago")
    year_group = parse_year_group(values["year_group"])
    if year_group is None:
        problems.append(
            f"the year group '{values['year_group'].strip()}' is not one of N, R or 1 to 13"
        )
    if born is not None and year_group is not None and not problems:
        misfit = year_group_misfit(year_group, born, today)
        if misfit:
            problems.append(misfit)
    if problems:
        message = "; ".join(problems)
        raise ValidationError(message[0].upper() + message[1:])
    return Row(
        line=line,
        upn=upn,
        date_of_birth=born.isoformat(),
        year_group=str(year_group),
        **names,
    )


def _month_first_line(lines):
    """The first line whose date of birth can only be month first (05/17/2016), or None. A
    file holds one MIS's export: where one date is month first, 06/05/2016 is 5 June."""
    for line, values in lines:
        numbers = _NUMBERS.match(_MIDNIGHT.sub("", values["date_of_birth"].strip()))
        if numbers and int(numbers[1]) <= 12 < int(numbers[2]) <= 31:
            return line
    return None


def _check_day_first(values, month_first_line):
    """Refuse a date of birth that reads both ways round (06/05/2016) in a file whose line
    `month_first_line` is month first: which is the child's birthday is for a person to say."""
    text = values["date_of_birth"].strip()
    numbers = _NUMBERS.match(_MIDNIGHT.sub("", text))
    if month_first_line is None or not numbers:
        return
    day, month, year = (int(n) for n in numbers.groups())
    if day == month:
        return  # the same day either way round
    try:
        other = date(year, day, month)
    except ValueError:
        return
    raise ValidationError(
        f"The date of birth '{text}' could be {clock.written_date(date(year, month, day))} or "
        f"{clock.written_date(other)}: line {month_first_line} of the file has its month "
        "first. Export the dates day first, like 17/05/2016, or like 2016-05-17"
    )


def _records(text):
    """(line number, cells) for each non-blank row, the header first."""
    sample = text[:4096]
    try:
        sniffed = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", ",;\t")
    except csv.Error:
        sniffed = csv.excel
    # Only the separator is taken from the heading row. The rest is as Excel and every MIS
    # write it: a heading row holds no doubled quote, so the sniffer would read a name
    # written "John ""Jack""" as John "Jack""" (RFC 4180 doubles a quote inside quotes).
    reader = csv.reader(
        io.StringIO(text, newline=""),
        csv.excel,
        delimiter=sniffed.delimiter,
        skipinitialspace=sniffed.skipinitialspace,
    )
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells
    except csv.Error as error:
        raise ImportRefused(
            f"Line {reader.line_num} of the file could not be read as CSV ({error}). Check "
            "the file was saved as CSV."
        ) from None


def read(upload, roll):
    """Check an uploaded CSV against the school's roll (`roll`: its pupils). Writes nothing."""
    if upload.size >= settings.PUPIL_IMPORT_MAX_BYTES:  # "smaller than", as the message says
        limit = written_size(settings.PUPIL_IMPORT_MAX_BYTES)
        raise ImportRefused(f"The selected file must be smaller than {limit}")
    data = upload.read()
    if not data.strip():
        raise ImportRefused("The selected file is empty")
    if _is_binary(data):
        raise ImportRefused(
            "The selected file must be a CSV file. If it is a spreadsheet, save it as "
            "'CSV UTF-8 (comma delimited)' and upload that."
        )
    text, note = _decode(data)
    records = _records(text)
    try:
        _, header = next(records)
    except StopIteration:
        raise ImportRefused("The selected file is empty") from None
    positions = _columns(header)
    preview = Preview(encoding_note=note)
    lines = []
    for count, (line, cells) in enumerate(records, start=1):
        if count > MAX_ROWS:
            raise ImportRefused(f"The file has more than {MAX_ROWS:,} pupils: split it up")
        values = {
            name: cells[index] if index < len(cells) else "" for name, index in positions.items()
        }
        lines.append((line, values))
    month_first_line = _month_first_line(lines)
    rows = []
    for line, values in lines:
        try:
            row = check_row(line, values)
            _check_day_first(values, month_first_line)
            rows.append(row)
        except ValidationError as error:
            preview.errors.append((line, error.messages[0]))
    if not rows and not preview.errors:
        raise ImportRefused("The file has column headings but no pupils")
    _sort_against_roll(rows, roll, preview)
    return preview


def _sort_against_roll(rows, roll, preview):
    """Refuse UPNs repeated in the file, and a UPN on the roll given to someone else; sort the
    rest into new, changed and unchanged."""
    lines = {}
    for row in rows:
        lines.setdefault(row.upn, []).append(row.line)
    existing = {p.upn: p for p in roll.filter(upn__in=list(lines))}
    for row in rows:
        if len(lines[row.upn]) > 1:
            others = ", ".join(str(n) for n in lines[row.upn] if n != row.line)
            preview.errors.append(
                (row.line, f"The UPN {row.upn} is also on line {others}: each pupil once only")
            )
            continue
        pupil = existing.get(row.upn)
        if pupil is None:
            preview.new.append(row)
            continue
        if _someone_else(pupil, row):
            # Every concern about the child on the roll would follow the UPN to this one:
            # a reused temporary UPN, or a mistyped one that still passes its check letter.
            born = clock.written_date(pupil.date_of_birth)
            reason = [
                (f"The UPN {row.upn} is ", False),
                (pupil.full_name, True),
                (
                    f"'s, born {born}, on the roll: check the UPN. If this is the same pupil, "
                    "correct their name or date of birth on their own page first",
                    False,
                ),
            ]
            preview.errors.append((row.line, reason))
            continue
        row.pupil_id = pupil.pk
        row.drawn = details_version(pupil)
        row.changes = _changes(pupil, row)
        (preview.updates if row.changes else preview.unchanged).append(row)
    _held_under_another_upn(preview, roll, file_upns=lines)
    preview.errors.sort(key=lambda error: error[0])


def _held_under_another_upn(preview, roll, *, file_upns):
    """Refuse a new pupil whose name and date of birth are those of a pupil on the roll under
    a UPN the file does not give: the same child, added by hand with a temporary or mistyped
    UPN, would be on the roll twice, their concerns split between two chronologies."""
    if not preview.new:
        return
    held = {}
    for pupil in roll.filter(date_of_birth__in={row.date for row in preview.new}):
        if pupil.upn not in file_upns:
            held.setdefault(
                (_written_alike(pupil.given_name, pupil.family_name), pupil.date_of_birth), pupil
            )
    new = []
    for row in preview.new:
        pupil = held.get((_written_alike(row.given_name, row.family_name), row.date))
        if pupil is None:
            new.append(row)
            continue
        born = clock.written_date(pupil.date_of_birth)
        reason = [
            (pupil.full_name, True),
            (
                f", born {born}, is on the roll with the UPN {pupil.upn}: if this is the same "
                "pupil (their temporary UPN replaced, say), change their UPN on their own page "
                "first. If they are different children, add this one with 'Add a pupil'",
                False,
            ),
        ]
        preview.errors.append((row.line, reason))
    preview.new = new


def _someone_else(pupil, row):
    """A different child, not the same one's corrected details: both their name and their
    date of birth differ (a brother or sister's UPN, say). A new surname, or a date of birth
    put right, is an update."""
    names = [_written_alike(p.given_name, p.family_name) for p in (pupil, row)]
    return names[0] != names[1] and pupil.date_of_birth != row.date


def _written_alike(*names):
    """Names as alike whatever their capitals, accents and apostrophes: the roll typed by hand
    has Zoe O'Connor where the MIS has Zoë O\u2019Connor."""
    plain = unicodedata.normalize("NFKD", " ".join(names).casefold())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return " ".join(plain.translate(str.maketrans(APOSTROPHES, "'" * len(APOSTROPHES))).split())


def _changes(pupil, row):
    changes = []
    if pupil.given_name != row.given_name or pupil.family_name != row.family_name:
        changes.append(("name", pupil.full_name))
    if pupil.date_of_birth != row.date:
        changes.append(("date of birth", clock.written_date(pupil.date_of_birth)))
    if pupil.year_group != row.year_group:
        changes.append(("year group", pupil.get_year_group_display()))
    return changes


class ImportConflict(Exception):
    """The roll changed between the preview and the confirmation."""


class AlreadyImported(Exception):
    """The roll already holds every pupil of the preview as it gives them: the same
    confirmation sent twice (or a colleague's import of the same file). Nothing was written."""


def _as_given(rows, school):
    """Whether the roll holds every one of `rows` with exactly its details."""
    roll = Pupil.objects.filter(school=school, upn__in=[row.upn for row in rows])
    held = {pupil.upn: pupil for pupil in roll}
    return all(row.upn in held and not _changes(held[row.upn], row) for row in rows)


def _update(updated):
    """Write each (pupil, changed fields) pair. Pupils given the same new values (a September
    import moves a year group up) are written by one UPDATE; the rest, each with its own
    values, by one statement sent for them all. (bulk_update builds a CASE for every field of
    every row: 25 seconds for 10,000 pupils, holding their rows - on SQLite every writer -
    all along.)"""
    groups = {}
    for pupil, fields in updated:
        groups.setdefault(tuple(sorted(fields.items())), []).append(pupil)
    each = []
    for values, pupils in groups.items():
        if len(pupils) == 1:
            each.extend(pupils)
            continue
        ids = [pupil.pk for pupil in pupils]
        for start in range(0, len(ids), 500):
            Pupil.objects.filter(pk__in=ids[start : start + 500]).update(**dict(values))
    if not each:
        return
    fields = [Pupil._meta.get_field(name) for name in UPDATED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Table and column names come from the model, never from input.
    table, key = quote(Pupil._meta.db_table), quote(Pupil._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # nosec B608
    params = [
        [field.get_db_prep_value(field.value_from_object(pupil), connection) for field in fields]
        + [pupil.pk]
        for pupil in each
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def import_rows(stored, *, school, by):
    """Add and update the pupils of a confirmed preview, all or nothing, and audit it.

    `stored` is the preview as kept in the session: every row is checked again, and against
    the roll as it is now, before anything is written. Raises ImportConflict if the roll no
    longer matches the preview (someone else imported or edited a pupil meanwhile), or
    AlreadyImported if it now holds every row as given.
    """
    try:
        # The stored ISO date and year group are accepted spellings, so they read as themselves.
        rows = [check_row(item["line"], item) for item in stored["rows"]]
    except (KeyError, TypeError, ValidationError):
        raise ImportConflict from None
    expected = {item["upn"]: item["pupil_id"] for item in stored["rows"]}
    drawn = {item["upn"]: item.get("drawn", "") for item in stored["rows"]}
    try:
        with transaction.atomic():
            roll = {
                p.upn: p
                for p in Pupil.objects.select_for_update().filter(
                    school=school, upn__in=list(expected)
                )
            }
            current = {upn: roll[upn].pk if upn in roll else None for upn in expected}
            if current != expected:
                raise ImportConflict
            if any(details_version(pupil) != drawn[upn] for upn, pupil in roll.items()):
                raise ImportConflict  # a pupil was corrected since the preview: check again
            added, updated, changed = [], [], {}
            for row in rows:
                fields = {name: getattr(row, name) for name in UPDATED_FIELDS}
                fields["date_of_birth"] = row.date
                pupil = roll.get(row.upn)
                if pupil is None:
                    added.append(Pupil(school=school, upn=row.upn, **fields))
                    continue
                # Which of each pupil's details the import changed, as a correction by hand
                # records them (names of fields, never their values).
                changed[str(pupil.pk)] = sorted(
                    name for name, value in fields.items() if getattr(pupil, name) != value
                )
                updated.append((pupil, {name: fields[name] for name in changed[str(pupil.pk)]}))
                for name, value in fields.items():
                    setattr(pupil, name, value)
            Pupil.objects.bulk_create(added, batch_size=500)
            _update(updated)
            audit(
                "pupil.import",
                actor=by,
                school=school,
                object_type="school",
                object_id=school.pk,
                added=len(added),
                updated=len(updated),
                # The pupils it touched, so that a change to a child's details is traceable.
                added_pupils=[pupil.pk for pupil in added],
                changed=changed,
            )
    except (ImportConflict, IntegrityError):
        if _as_given(rows, school):
            raise AlreadyImported from None
        raise ImportConflict from None
    return len(added), len(updated)
