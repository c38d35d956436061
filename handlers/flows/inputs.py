"""Reading the answers people type at a flow's input steps: yes/no, an age, a date, a postal code.

Each reader returns the answer as the flow keeps it, or None when the text is not one; the
words of both languages are accepted whatever the chat's language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

from handlers.flows.definition import Answer, InputKind

MAX_AGE = 120
_YES = {"oui", "o", "ouais", "yes", "y", "yep", "yeah", "ok", "d'accord", "bien sur", "exact"}
_NO = {"non", "n", "no", "nope", "pas du tout", "jamais", "never"}
_AGE = re.compile(r"^(\d{1,3})\s*(?:ans?|years?(?: old)?|yo)?$")
_DATE = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})$")
_POSTAL = re.compile(r"^(\d{2})\s?(\d{3})$")


def _plain(text: str) -> str:
    """Lower case, accents and trailing punctuation gone, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace("’", "'").rstrip(" .!?").split())


def read_yes_no(text: str) -> str | None:
    plain = _plain(text)
    if plain in _YES:
        return "yes"
    if plain in _NO:
        return "no"
    return None


def read_age(text: str) -> int | None:
    match = _AGE.match(_plain(text))
    if match is None:
        return None
    age = int(match.group(1))
    return age if age <= MAX_AGE else None


def read_date(text: str, today: dt.date | None = None) -> str | None:
    """A day, month and year as people write them in France (31/12/1950, 31-12-1950), not in the
    future: the dates a flow asks for (a birth, a letter received) are past."""
    match = _DATE.match(_plain(text))
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if date > (today or dt.date.today()) or year < 1900:
        return None
    return date.isoformat()


def read_postal_code(text: str) -> str | None:
    """Five digits of a French postal code (a space after the department is allowed); 00 is no
    department's, and above 98 are not postal codes of the public."""
    match = _POSTAL.match(_plain(text))
    if match is None:
        return None
    code = match.group(1) + match.group(2)
    return code if "01" <= code[:2] <= "98" else None


READERS: dict[InputKind, Callable[[str], Answer | None]] = {
    "yes_no": read_yes_no,
    "age": read_age,
    "date": read_date,
    "postal_code": read_postal_code,
}
