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

REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_EMAIL, "[email]"),
    (_NIR, "[nir]"),
    (_PHONE, "[phone]"),
    (_LONG_NUMBER, "[number]"),
)


def redact(text: str) -> str:
    """The text with e-mails, social-security numbers, phone numbers and long numbers masked."""
    for pattern, placeholder in REDACTIONS:
        text = pattern.sub(placeholder, text)
    return text
