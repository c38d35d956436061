"""Redaction of personal identifiers before anything a user wrote is stored."""

from __future__ import annotations

import re

# French social-security number (NIR): sex digit, year, month, department (2A/2B for Corsica),
# commune, order number, optional 2-digit key; spaces, dots or dashes allowed between groups.
_NIR = re.compile(
    r"\b[12][\s.-]?\d{2}[\s.-]?(?:0[1-9]|1[0-2]|[2-9]\d)[\s.-]?(?:\d{2}|2[AaBb])"
    r"[\s.-]?\d{3}[\s.-]?\d{3}(?:[\s.-]?\d{2})?\b"
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# French numbers (0X XX XX XX XX, +33 X ..., 0033 X ...) and other international numbers.
_PHONE = re.compile(r"(?:(?:\+|00)\d{2,3}[\s.-]?(?:\(0\))?\d|\b0\d)(?:[\s.-]?\d{2}){4}\b")
_LONG_NUMBER = re.compile(r"\b\d[\d\s.-]{9,}\d\b")
_MONTHS = (
    r"janv(?:ier)?\.?|f[ée]vr?(?:ier)?\.?|mars|avr(?:il)?\.?|mai|juin|juil(?:let)?\.?|"
    r"ao[ûu]t|sept(?:embre)?\.?|oct(?:obre)?\.?|nov(?:embre)?\.?|d[ée]c(?:embre)?\.?|"
    r"january|february|march|april|may|june|july|august|september|october|november|december"
)
# A whole date (day, month and year): a date of birth cannot be told from another one.
_DATE = re.compile(
    r"\b(?:0?[1-9]|[12]\d|3[01])(?:[/.-](?:0?[1-9]|1[0-2])[/.-](?:\d{4}|\d{2})\b"
    rf"|(?:er)?\s+(?:{_MONTHS})\s+\d{{4}}\b)",
    re.IGNORECASE,
)
_STREET = (
    r"rue|avenue|av\.|bd|boulevard|place|all[ée]e|impasse|chemin|route|quai|cours|square|"
    r"r[ée]sidence|lotissement|lieu-dit"
)
# A number and a street, up to the end of the clause.
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}(?:\s?(?:bis|ter|[a-c]))?,?\s+(?:{_STREET})\b[^,;:.!?\n]*", re.IGNORECASE
)
# The English order: a number, a capitalised name, then the kind of street.
_ENGLISH_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w'-]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive)\b"
)
# A postal code and the capitalised town after it (a postal code alone is a code, below).
_POSTCODE_TOWN = re.compile(
    r"\b(?:0[1-9]|[1-8]\d|9[0-8])\d{3}\s+[A-ZÉÈ][\w'-]+(?:[\s-]+[A-ZÉÈ][\w'-]+)*"
)
# Numbers that are not anyone's: the help lines the bot itself names.
_PUBLIC_NUMBERS = frozenset({"3422", "3646", "3114", "3919", "3237", "3939", "3615"})
# Activation codes, PINs and one-time codes: 4 to 8 digits that are not a year, an amount or a
# quantity.
_CODE = re.compile(
    r"(?<![\w+/.-])\d{4,8}(?![\w/.-]|[.,]\d)"
    r"(?!\s?(?:€|\$|euros?\b|eur\b|ans\b|years\b|km\b|mg\b|ml\b|kg\b|mois\b|jours\b))",
    re.IGNORECASE,
)


def _code(match: re.Match[str]) -> str:
    digits = match.group(0)
    if digits in _PUBLIC_NUMBERS or (len(digits) == 4 and digits[:2] in ("19", "20")):
        return digits
    return "[code]"


REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_EMAIL, "[email]"),
    (_NIR, "[nir]"),
    (_PHONE, "[phone]"),
    (_LONG_NUMBER, "[number]"),
    (_DATE, "[date]"),
    (_ADDRESS, "[address]"),
    (_ENGLISH_ADDRESS, "[address]"),
    (_POSTCODE_TOWN, "[address]"),
)


def redact(text: str) -> str:
    """The text with e-mails, social-security numbers, phone numbers, long numbers, whole
    dates, postal addresses and codes (4 to 8 digits that are neither a year nor a help line)
    masked."""
    for pattern, placeholder in REDACTIONS:
        text = pattern.sub(placeholder, text)
    return _CODE.sub(_code, text)
