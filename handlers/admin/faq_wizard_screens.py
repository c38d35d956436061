"""What the FAQ editor's wizard shows at each step of a draft (`faq_draft.WizardDraft`): pure
functions of the draft, and at the preview of what checking it found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from faq.check import MAX_ANSWER_CHARS, MIN_ALTERNATES
from faq.entries import THEMES
from faq.telegram_html import escape
from handlers.admin import faq_keyboards as keyboards
from handlers.admin import faq_text
from handlers.admin.faq_draft import FIELD, ID, MENU, PREVIEW, THEME, WizardDraft
from handlers.admin.faq_fields import ADD_ORDER, FIELDS, Field, label, valid_id, value_of
from handlers.events import Reply
from handlers.i18n import Texts

LONGEST_ID = 40  # `faq.entries.Entry.id`


@dataclass(frozen=True)
class Checked:
    """The draft as users would get it (None when it is not yet an entry), and its problems."""

    message: Reply | None
    problems: Sequence[str]


def screen(
    texts: Texts, draft: WizardDraft, lead: str | None, checked: Checked | None
) -> tuple[Reply, ...]:
    """The messages of the draft's step; ``checked`` is needed at the preview."""
    if draft.step == PREVIEW:
        assert checked is not None
        return preview(texts, draft, lead, checked)
    builders = {ID: id_prompt, THEME: theme_prompt, MENU: fields_menu, FIELD: field_prompt}
    return (builders[draft.step](texts, draft, lead),)


def _text(lead: str | None, *lines: str) -> str:
    return "\n".join(([lead, ""] if lead else []) + [line for line in lines if line])


def _name(texts: Texts, draft: WizardDraft) -> str:
    return escape(draft.entry_id) if draft.entry_id else texts._("a new entry")


def id_prompt(texts: Texts, draft: WizardDraft, lead: str | None) -> Reply:
    text = texts._(
        "<b>New entry</b>: send its id, for example <code>documents.lost_card</code>: lowercase "
        "letters, digits and _, in parts joined by dots, {count} characters at most."
    ).format(count=LONGEST_ID)
    return Reply(_text(lead, text), (keyboards.cancel_row(texts, draft),))


def id_problem(texts: Texts, entry_id: str, taken: bool) -> str | None:
    """Why ``entry_id`` cannot be a new entry's id; None when it can."""
    if not valid_id(entry_id):
        return texts._("“{id}” is not a valid id.").format(id=faq_text.short(entry_id, 60))
    if taken:
        return texts._("An entry {id} exists already (maybe hidden): choose another id.").format(
            id=escape(entry_id)
        )
    return None


def theme_prompt(texts: Texts, draft: WizardDraft, lead: str | None) -> Reply:
    text = texts._("<b>New entry {id}</b>: choose its theme.").format(id=escape(draft.entry_id))
    return Reply(_text(lead, text), keyboards.themes_to_choose(texts, draft, THEMES))


def fields_menu(texts: Texts, draft: WizardDraft, lead: str | None) -> Reply:
    _ = texts._
    if draft.adding:
        head = _("<b>New entry {id}</b>: choose what to change, then preview and save.").format(
            id=_name(texts, draft)
        )
    else:
        head = _(
            "<b>Editing {id}</b>, from version {version}: choose what to change. You can "
            "change several fields, then preview and save."
        ).format(id=escape(draft.entry_id), version=draft.base)
    return Reply(_text(lead, head, changed(texts, draft)), keyboards.fields(texts, draft))


def changed(texts: Texts, draft: WizardDraft) -> str:
    if not draft.changed:
        return ""
    names = ", ".join(label(texts, FIELDS[code]) for code in draft.changed)
    return texts._("Changed so far: {fields}.").format(fields=escape(names))


def field_prompt(texts: Texts, draft: WizardDraft, lead: str | None) -> Reply:
    _ = texts._
    assert draft.field_code is not None
    field = FIELDS[draft.field_code]
    current = value_of(draft.content, field)
    name = escape(label(texts, field))
    if draft.pending:
        head = _("<b>New entry {id}</b>, step {step} of {steps}: {field}.").format(
            id=_name(texts, draft),
            step=len(ADD_ORDER) - len(draft.pending) + 1,
            steps=len(ADD_ORDER),
            field=name,
        )
        now = _("Filled in already:") if current else ""
    else:
        head = _("<b>{field}</b> of {id}.").format(field=name, id=_name(texts, draft))
        now = _("As it is now:")
    shown = faq_text.shown_value(texts, current) if now else ""
    return Reply(
        _text(lead, head, now, shown, instructions(texts, field)),
        keyboards.typing(texts, draft, keep=bool(current)),
    )


def instructions(texts: Texts, field: Field) -> str:
    _ = texts._
    if field.part == "question":
        return _("Send the question, on one line.")
    if field.part == "answer":
        return _(
            "Send the answer. It is Telegram HTML as you type it: &lt;b&gt;bold&lt;/b&gt;, "
            '&lt;i&gt;italics&lt;/i&gt;, &lt;a href="https://…"&gt;a link&lt;/a&gt;; write '
            "&amp;amp; for &amp;, and at most {count} characters shown."
        ).format(count=MAX_ANSWER_CHARS)
    if field.part == "alternates":
        return _(
            "Send the alternates, one per line: other ways people ask this question, at least "
            "{count}."
        ).format(count=MIN_ALTERNATES)
    if field.part == "keywords":
        return _("Send the keywords, one per line, or - for none.")
    return _("Send the sources, one https link per line: the first is shown under the answer.")


def preview(
    texts: Texts, draft: WizardDraft, lead: str | None, checked: Checked
) -> tuple[Reply, ...]:
    """The message users would get, then what checking found and the buttons."""
    _ = texts._
    lines = []
    if checked.message is not None:
        language = _("French") if draft.lang == "fr" else _("English")
        lines.append(
            _("<b>{id}</b>: above, the message users will get in {language}.").format(
                id=escape(draft.entry_id), language=language
            )
        )
    lines.append(changed(texts, draft))
    if checked.problems:
        lines.append(faq_text.problems_text(texts, checked.problems))
    else:
        lines.append(_("No problem found: save, and users get it at once."))
    if draft.field_code is not None:
        field = escape(label(texts, FIELDS[draft.field_code]))
        lines.append(
            _("Type again to replace {field}, or choose another field.").format(field=field)
        )
    savable = not checked.problems and bool(draft.changed or draft.adding)
    actions = Reply(_text(lead, *lines), keyboards.preview(texts, draft, savable=savable))
    if checked.message is None:
        return (actions,)
    return (checked.message, actions)
