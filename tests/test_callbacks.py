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
        Vote(2_147_483_647, -1, "AbCd-_12"),
        NoneFits(7, "AbCd-_12"),
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


def test_every_entry_fits_in_a_button(catalog: FaqCatalog) -> None:
    for entry_id in catalog.entries:
        assert len(ShowEntry(entry_id).pack().encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    "raw", ["", "1", "2:e:x", "1:?:x", "1:e", "1:u:a:1:s", "1:l:de", "1:u:1:0:s"]
)
def test_malformed_data_is_refused(raw: str) -> None:
    with pytest.raises(CallbackError):
        CallbackData.unpack(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "1:u:99999999999999999999999:1:AbCd-_12",  # past any integer column
        "1:u:2147483648:1:AbCd-_12",  # past PostgreSQL's INTEGER
        "1:u:0:1:AbCd-_12",
        "1:u:-5:1:AbCd-_12",
        "1:o:" + "9" * 40 + ":AbCd-_12",
        "1:u:1_000:1:AbCd-_12",  # int() would take these
        "1:u: 12:1:AbCd-_12",
        "1:u:+12:1:AbCd-_12",
        "1:u:١٢:1:AbCd-_12",  # Arabic-Indic digits
        "1:u:12:1:" + "s" * 41,
        "1:e:" + "a" * 41,
        "1:e:caregiver delegation",
        "1:h:<b>",
        "1:e:" + "é" * 30,  # over 64 bytes, not characters
        "1:e:x" + ":" * 70,
    ],
)
def test_forged_data_is_refused_whatever_its_size(raw: str) -> None:
    with pytest.raises(CallbackError):
        CallbackData.unpack(raw)


def test_the_old_vote_and_none_of_these_buttons_are_expired() -> None:
    for raw in ("1:v:12:activation.how:1", "1:n:12"):
        with pytest.raises(CallbackError):
            CallbackData.unpack(raw)


def test_oversized_or_ambiguous_data_cannot_be_packed() -> None:
    with pytest.raises(CallbackError):
        ShowEntry("x" * 70).pack()
    with pytest.raises(CallbackError):
        ShowEntry("a:b").pack()
