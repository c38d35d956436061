"""Catalogs compile, cover every translatable string, and languages are negotiated."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from handlers.i18n import SUPPORTED, Catalogs

ROOT = Path(__file__).parent.parent
LOCALES = ROOT / "handlers" / "locales"


def _source_messages() -> set[str]:
    found = extract_from_dir(ROOT / "handlers", method_map=[("**.py", "python")])
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("lang", SUPPORTED)
def test_catalog_compiles_and_covers_every_string(lang: str) -> None:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    write_mo(BytesIO(), catalog)
    # A plural message is known by its singular, as the extractor gives it.
    translated = {
        m.id[0] if m.pluralizable else m.id
        for m in catalog
        if m.id and (all(m.string) if m.pluralizable else m.string) and not m.fuzzy
    }
    missing = _source_messages() - translated
    assert not missing, f"untranslated in {lang}: {sorted(missing)}"


PLACEHOLDER = re.compile(r"\{(\w*)\}")


@pytest.mark.parametrize("lang", SUPPORTED)
def test_placeholders_survive_translation(lang: str) -> None:
    """Every named placeholder of the source is in the translation, and no other: a missing one
    loses a value, an unknown one raises KeyError when the text is formatted."""
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    checked = 0
    for message in catalog:
        if not message.id:
            continue
        # Plural forms are checked against the plural source; a singular may leave the count
        # out ("the last hour"), but the plural form names every placeholder.
        sources = message.id if message.pluralizable else (message.id,)
        forms = message.string if message.pluralizable else (message.string,)
        expected = set(PLACEHOLDER.findall(sources[-1]))
        for form in forms[:-1]:
            assert set(PLACEHOLDER.findall(form)) <= expected, (sources[-1], form)
        assert set(PLACEHOLDER.findall(forms[-1])) == expected, (sources[-1], forms[-1])
        checked += bool(expected)
    assert checked >= 10  # the catalog has placeholders: the check did run


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("en", "en"),
        ("en-GB", "en"),
        ("de", "fr"),
        (None, "fr"),
        ("", "fr"),
    ],
)
def test_language_negotiation(code: str | None, expected: str) -> None:
    assert Catalogs("fr").negotiate(code) == expected


def test_english_default_locale() -> None:
    assert Catalogs("en").negotiate("pt-BR") == "en"
