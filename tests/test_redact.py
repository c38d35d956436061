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
        ("né en 1985, 2 enfants", "né en 1985, 2 enfants"),
        # Codes: activation codes, PINs, one-time codes, postal codes alone.
        ("code 123456", "code [code]"),
        ("mon code provisoire est 4821, normal ?", "mon code provisoire est [code], normal ?"),
        ("recu le code 00418273 par sms", "recu le code [code] par sms"),
        ("mon code postal 75011", "mon code postal [code]"),
        ("69003 lyon", "[code] lyon"),
        # Dates of birth, in the forms people type.
        ("né le 12/03/1985 à Lyon", "né le [date] à Lyon"),
        ("date de naissance 03-11-62", "date de naissance [date]"),
        ("née le 1er mars 1985", "née le [date]"),
        ("née le 14 févr. 1990", "née le [date]"),
        ("born 3 March 1990", "born [date]"),
        # Postal addresses.
        ("j'habite 12 rue de la Paix, 75002 Paris", "j'habite [address], [address]"),
        ("au 3 bis avenue Foch à Lyon", "au [address]"),
        ("envoyé au 27, boulevard Saint-Michel", "envoyé au [address]"),
        ("69003 Lyon", "[address]"),
        ("5 Baker Street", "[address]"),
        # Near misses, kept: years, help lines, amounts, ages, short dates, references.
        ("en 2019 j'ai eu un AVC", "en 2019 j'ai eu un AVC"),
        ("le 15, le 112 et le 3114", "le 15, le 112 et le 3114"),
        ("j'ai payé 1500 euros", "j'ai payé 1500 euros"),
        ("1500€ de frais", "1500€ de frais"),
        ("j'ai 75 ans", "j'ai 75 ans"),
        ("rdv le 12/03 à 14h30", "rdv le 12/03 à 14h30"),
        ("la loi 2002-303 et l'article L1111-17", "la loi 2002-303 et l'article L1111-17"),
        ("version 1.2.3 de l'appli", "version 1.2.3 de l'appli"),
        ("un code à 6 chiffres", "un code à 6 chiffres"),
    ],
)
def test_identifiers_are_masked_and_ordinary_text_kept(text: str, expected: str) -> None:
    assert redact(text) == expected
