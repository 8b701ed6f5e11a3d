"""Gentle coaching on what a member of staff wrote: hints, never refusals.

A DSL acting on a concern needs facts, full names and enough detail. These detectors spot the
common gaps (initials only, a very short account, opinion in place of fact) so the
check-your-answers page can suggest a change. They can be wrong, so they only ever suggest.
"""

import re

SHORT_ACCOUNT_WORDS = 12

# Capitals that read as initials ("JS hit AB", "J.S."), but not the abbreviations staff use
# every day, which are not people.
_INITIALS = re.compile(r"(?<![\w.])(?:[A-Z]\.\s?){1,2}[A-Z]\.?(?![\w.])|(?<!\w)[A-Z]{2,3}(?!\w)")
_NOT_INITIALS = frozenset(
    {
        "AM",
        "PM",
        "OK",
        "TV",
        "UK",
        "US",
        "EU",
        "GP",
        "AE",
        "NHS",
        "TA",
        "LSA",
        "HLTA",
        "PE",
        "RE",
        "RS",
        "DT",
        "IT",
        "ICT",
        "PSHE",
        "RSE",
        "SRE",
        "SEN",
        "SEND",
        "EHCP",
        "SENCO",
        "DSL",
        "DDSL",
        "LA",
        "LADO",
        "MASH",
        "CSC",
        "CIN",
        "CP",
        "CPP",
        "PCSO",
        "PC",
        "DC",
        "DS",
        "SLT",
        "MAT",
        "KS",
        "EYFS",
        "YR",
        "ADHD",
        "ASD",
        "OCD",
        "CCTV",
        "CSE",
        "CCE",
        "FGM",
        "LGBT",
        "PTA",
        "ID",
        "IOU",
        "BBQ",
        "DVD",
        "WC",
        "PPE",
        "MFL",
        "MP",
        "DBS",
        "PRU",
        "AP",
        "ELSA",
        "EAL",
        "FSM",
        "LAC",
        "CLA",
        "PEP",
    }
)

# Phrases that usually carry an opinion or a guess rather than something seen or heard.
_OPINION = re.compile(
    r"\b(?:"
    r"i\s+think|i\s+feel|i\s+believe|i\s+suspect|i\s+reckon|i'?m\s+sure|i\s+am\s+sure|"
    r"in\s+my\s+(?:opinion|view)|obviously|clearly|seem(?:s|ed|ingly)?|probably|"
    r"definitely|no\s+doubt|must\s+have|attention[\s-]seek(?:ing|er)|making\s+it\s+up|"
    r"made\s+it\s+up|liar|lying\s+again|typical|as\s+usual|bad\s+parent(?:s|ing)?"
    r")\b",
    re.IGNORECASE,
)


def initials(text):
    """Initials that stand where a name should be, in the order they appear, once each."""
    text = text or ""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > len(letters) / 2:
        return []  # Written in capitals: every word would look like initials.
    found = []
    for match in _INITIALS.finditer(text):
        token = match.group(0).strip()
        if token.replace(".", "").replace(" ", "") in _NOT_INITIALS or token in found:
            continue
        found.append(token)
    return found


def is_short(text):
    """True for an account too brief for a DSL to act on (but not for an empty one)."""
    words = len((text or "").split())
    return 0 < words < SHORT_ACCOUNT_WORDS


def opinion_words(text):
    """The opinion words and phrases used, as written, once each."""
    found = []
    for match in _OPINION.finditer(text or ""):
        phrase = " ".join(match.group(0).split())
        if phrase.lower() not in {f.lower() for f in found}:
            found.append(phrase)
    return found


def _quoted(items):
    return ", ".join(f'"{item}"' for item in items)


def hints_for_account(text):
    """Hints on 'what happened': the facts of the concern."""
    hints = []
    if is_short(text):
        hints.append(
            "This is quite short. If you can, add what you saw or heard, who was involved and "
            "what happened just before and after."
        )
    found = opinion_words(text)
    if found:
        hints.append(
            f"Some words may read as opinion rather than fact ({_quoted(found)}). Write what "
            "you saw and heard; if you add your own view, say that it is your view."
        )
    hints += hints_for_people(text)
    return hints


def hints_for_people(text):
    """Hints on any answer that names people."""
    found = initials(text)
    if not found:
        return []
    return [
        f"You used initials ({_quoted(found)}). Write people's full names where you know them, "
        "so the DSL knows exactly who was involved."
    ]
