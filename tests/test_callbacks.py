from __future__ import annotations

import pytest

from faq.catalog import FaqCatalog
from handlers.callbacks import (
    MAX_BYTES,
    CallbackData,
    CallbackError,
    ConfirmForget,
    NoneFits,
    SetLanguage,
    ShowEntry,
    Theme,
    Themes,
    Vote,
)


@pytest.mark.parametrize(
    "data",
    [
        ShowEntry("caregiver.delegation"),
        Vote(2_147_483_647, "caregiver.legal_rep", -1),
        NoneFits(7),
        SetLanguage("en"),
        Themes(),
        Theme("documents"),
        ConfirmForget(),
    ],
)
def test_round_trip(data: CallbackData) -> None:
    packed = data.pack()
    assert len(packed.encode()) <= MAX_BYTES
    assert CallbackData.unpack(packed) == data


def test_every_entry_fits_in_a_vote_button(catalog: FaqCatalog) -> None:
    for entry_id in catalog.entries:
        assert len(Vote(10**12, entry_id, -1).pack().encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    "raw", ["", "1", "2:e:x", "1:?:x", "1:e", "1:v:a:b:1", "1:l:de", "1:v:1:x:0"]
)
def test_malformed_data_is_refused(raw: str) -> None:
    with pytest.raises(CallbackError):
        CallbackData.unpack(raw)


def test_oversized_or_ambiguous_data_cannot_be_packed() -> None:
    with pytest.raises(CallbackError):
        ShowEntry("x" * 70).pack()
    with pytest.raises(CallbackError):
        ShowEntry("a:b").pack()
