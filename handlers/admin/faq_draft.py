"""Where an administrator stands in the FAQ editor, kept as their administration draft
(`handlers.admin.drafts`): any instance continues it and a restart loses nothing."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from faq.lexicon import LANGS, Lang
from handlers.admin.drafts import AdminDrafts
from handlers.admin.faq_fields import Content

# The purposes of the drafts the FAQ editor owns (at most 16 characters: the column's width).
SEARCH = "faq-search"  # search words to be typed
WIZARD = "faq-wizard"  # an entry being changed or added

# The wizard's steps.
ID = "id"  # a new entry's id to be typed
THEME = "theme"  # a new entry's theme to be chosen
MENU = "fields"  # which field to change
FIELD = "field"  # the value of the draft's ``field_code`` to be typed
PREVIEW = "preview"  # the message users will get, its problems, and saving
STEPS = frozenset({ID, THEME, MENU, FIELD, PREVIEW})


def new_nonce() -> str:
    return secrets.token_hex(4)


@dataclass
class WizardDraft:
    """An entry being changed (``base``: the version the change started from) or added
    (``base`` None). ``content`` is the entry as it will be saved, partial while a new one is
    typed; ``lang``: the language of the preview; ``field_code``: the field being typed, or
    last typed; ``pending``: the fields a new entry still asks for, in order; ``changed``: the
    fields typed so far; ``review_ids``: the questions of the review queue the new entry
    answers. ``nonce`` changes with every screen shown, so that a button of an earlier screen
    is recognised."""

    entry_id: str
    base: int | None
    step: str
    content: Content
    lang: Lang
    field_code: str | None = None
    pending: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    review_ids: list[int] = field(default_factory=list)
    nonce: str = field(default_factory=new_nonce)

    @property
    def adding(self) -> bool:
        return self.base is None

    @property
    def has_work(self) -> bool:
        """Whether dropping the draft would lose something typed or brought in."""
        return bool(self.changed) or (self.adding and bool(self.entry_id or self.review_ids))

    def data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any]) -> WizardDraft:
        """The draft as stored; ValueError when it is not one (written by another version)."""
        try:
            draft = cls(**data)
        except TypeError as exc:
            raise ValueError("not an FAQ wizard draft") from exc
        if draft.step not in STEPS or draft.lang not in LANGS:
            raise ValueError("not an FAQ wizard draft")
        return draft

    def renew(self) -> None:
        self.nonce = new_nonce()


async def wizard_of(drafts: AdminDrafts, user_id: int) -> WizardDraft | None:
    """The user's wizard draft, if their draft is one."""
    draft = await drafts.get(user_id)
    if draft is None or draft.purpose != WIZARD:
        return None
    try:
        return WizardDraft.of(draft.data)
    except ValueError:  # written by another version of the bot: as good as gone
        return None
