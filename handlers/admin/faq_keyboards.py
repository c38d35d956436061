"""The FAQ editor's keyboards, built by pure functions from typed callback data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from handlers.admin.faq_draft import WizardDraft
from handlers.admin.faq_editing import EntryState, Revision
from handlers.admin.faq_fields import FIELDS, label
from handlers.admin.faq_text import HISTORY_PAGE, pages, theme_name
from handlers.callbacks import FaqEntryButton, FaqScreenButton
from handlers.events import Button, Keyboard
from handlers.i18n import Texts
from handlers.keyboards import label as fit

PER_ROW = 2
# The fields of both languages, French and English side by side; the sources come after.
SIDE_BY_SIDE = ("fq", "eq", "fa", "ea", "fl", "el", "fk", "ek")


def rows(buttons: Sequence[Button], width: int = PER_ROW) -> Keyboard:
    return tuple(tuple(buttons[i : i + width]) for i in range(0, len(buttons), width))


def topics(texts: Texts, themes: Iterable[str], draft: WizardDraft | None) -> Keyboard:
    _ = texts._
    keyboard = rows([Button(theme_name(texts, t), FaqScreenButton("t", t)) for t in themes])
    keyboard += (
        (
            Button(_("🔎 Search"), FaqScreenButton("s")),
            Button(_("➕ New entry"), FaqScreenButton("n")),
        ),
    )
    if draft is not None:
        going_on = _("▶️ Continue: {entry}").format(entry=draft.entry_id or _("new entry"))
        keyboard += ((Button(fit(going_on), FaqScreenButton("c", draft=draft.nonce)),),)
    return keyboard


def entries(texts: Texts, states: Iterable[EntryState]) -> Keyboard:
    """One entry a row, hidden ones marked."""
    return tuple(
        (
            Button(
                fit(("🙈 " if s.hidden else "") + s.entry.block(texts.lang).question),
                FaqEntryButton(s.entry.id, s.version, "c"),
            ),
        )
        for s in states
    )


def theme(texts: Texts, states: Iterable[EntryState]) -> Keyboard:
    return (*entries(texts, states), (Button(texts._("⬅️ Topics"), FaqScreenButton("o")),))


def search_results(texts: Texts, states: Iterable[EntryState]) -> Keyboard:
    _ = texts._
    return (
        *entries(texts, states),
        (
            Button(_("🔎 Search again"), FaqScreenButton("s")),
            Button(_("⬅️ Topics"), FaqScreenButton("o")),
        ),
    )


def card(texts: Texts, state: EntryState) -> Keyboard:
    _ = texts._
    entry_id, version = state.entry.id, state.version

    def act(action: str, value: str = "-") -> FaqEntryButton:
        return FaqEntryButton(entry_id, version, action, value)

    return (
        (Button(_("✏️ Edit"), act("e")), Button(_("🕘 History"), act("h", "0"))),
        (Button(_("👁 Preview (fr)"), act("p", "fr")), Button(_("👁 Preview (en)"), act("p", "en"))),
        (
            Button(_("👁 Show again"), act("s")) if state.hidden else Button(_("🙈 Hide"), act("x")),
            Button(_("✅ Mark reviewed today"), act("d")),
        ),
        (Button(_("⬅️ Back"), FaqScreenButton("t", state.entry.theme)),),
    )


def history(texts: Texts, state: EntryState, revisions: Sequence[Revision], page: int) -> Keyboard:
    """A restore button for each earlier revision of the page, then ◀️ ▶️ and back."""
    entry_id = state.entry.id
    shown = revisions[page * HISTORY_PAGE : (page + 1) * HISTORY_PAGE]
    restore = [
        Button(
            texts._("↩️ Restore v{version}").format(version=r.version),
            FaqEntryButton(entry_id, r.version, "r"),
        )
        for r in shown
        if r.version != state.version
    ]
    keyboard = rows(restore, 3)
    turn = []
    if page > 0:
        turn.append(Button("◀️", FaqEntryButton(entry_id, state.version, "h", str(page - 1))))
    if page + 1 < pages(revisions):
        turn.append(Button("▶️", FaqEntryButton(entry_id, state.version, "h", str(page + 1))))
    if turn:
        keyboard += (tuple(turn),)
    back = Button(texts._("⬅️ Back"), FaqEntryButton(entry_id, state.version, "c"))
    return (*keyboard, (back,))


def undo(texts: Texts, entry_id: str, previous: int) -> Keyboard:
    """The offer to undo a restore: restoring the version that was current."""
    text = texts._("↩️ Undo: back to version {version}").format(version=previous)
    return ((Button(text, FaqEntryButton(entry_id, previous, "r")),),)


# --- the wizard's ---


def _step(draft: WizardDraft, action: str, value: str = "-") -> FaqScreenButton:
    return FaqScreenButton(action, value, draft.nonce)


def cancel_row(texts: Texts, draft: WizardDraft) -> tuple[Button, ...]:
    return (Button(texts._("✖️ Cancel"), _step(draft, "x")),)


def themes_to_choose(texts: Texts, draft: WizardDraft, themes: Iterable[str]) -> Keyboard:
    choices = [Button(theme_name(texts, t), _step(draft, "g", t)) for t in themes]
    return (*rows(choices), cancel_row(texts, draft))


def fields(texts: Texts, draft: WizardDraft) -> Keyboard:
    """Every field, the languages side by side, then the preview and cancel."""
    paired = [Button(label(texts, FIELDS[c]), _step(draft, "f", c)) for c in SIDE_BY_SIDE]
    keyboard = rows(paired)
    keyboard += ((Button(label(texts, FIELDS["s"]), _step(draft, "f", "s")),),)
    if draft.changed or draft.adding:
        keyboard += ((Button(texts._("👁 Preview and save"), _step(draft, "v", draft.lang)),),)
    return (*keyboard, cancel_row(texts, draft))


def typing(texts: Texts, draft: WizardDraft, *, keep: bool) -> Keyboard:
    """Under a field to type: keep it as it is (when it has a value), or cancel."""
    if not keep:
        return (cancel_row(texts, draft),)
    return ((Button(texts._("↩️ Keep as it is"), _step(draft, "k")),), cancel_row(texts, draft))


def preview(texts: Texts, draft: WizardDraft, *, savable: bool) -> Keyboard:
    _ = texts._
    other = "en" if draft.lang == "fr" else "fr"
    keyboard: Keyboard = ()
    if savable:
        keyboard += ((Button(_("✅ Save"), _step(draft, "y")),),)
    in_other = _("👁 In English") if other == "en" else _("👁 In French")
    keyboard += (
        (
            Button(in_other, _step(draft, "v", other)),
            Button(_("✏️ Change a field"), _step(draft, "m")),
        ),
        cancel_row(texts, draft),
    )
    return keyboard
