from __future__ import annotations

import pytest

from faq.redact import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon numero 1 85 05 78 006 084 36 svp", "mon numero [nir] svp"),
        ("NIR 185057800608436", "NIR [nir]"),
        ("corse 2 85 05 2A 006 084 36", "corse [nir]"),
        ("appelez le 06 12 34 56 78", "appelez le [phone]"),
        ("ou le 06.12.34.56.78", "ou le [phone]"),
        ("+33 6 12 34 56 78 merci", "[phone] merci"),
        ("0033612345678", "[phone]"),
        ("ecrire a jean.dupont+mes@exemple.fr vite", "ecrire a [email] vite"),
        ("serie 12345678901", "serie [number]"),
        ("le 3422 ne repond pas", "le 3422 ne repond pas"),
        ("code 123456", "code 123456"),
        ("né en 1985, 2 enfants", "né en 1985, 2 enfants"),
    ],
)
def test_identifiers_are_masked_and_ordinary_text_kept(text: str, expected: str) -> None:
    assert redact(text) == expected
