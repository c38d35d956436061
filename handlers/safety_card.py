"""The emergency card: the numbers to call, the ones the message points to first."""

from __future__ import annotations

from faq.safety import Verdict
from handlers.events import Reply
from handlers.i18n import Texts

# Shown on every card, after the lines the message points to.
ALWAYS = ("samu", "europe", "sms", "suicide", "police", "fire")


def card_lines(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "samu": _("<b>15</b> · SAMU: someone is unwell, a medical emergency"),
        "europe": _("<b>112</b> · any emergency, from any phone in Europe"),
        "sms": _(
            "<b>114</b> · by SMS, with the Urgence 114 app or on urgence114.fr, if you cannot "
            "speak or hear"
        ),
        "suicide": _(
            "<b>3114</b> · suicide prevention: free, day and night, for yourself or someone close"
        ),
        "police": _("<b>17</b> · police, if you are threatened or attacked"),
        "fire": _("<b>18</b> · firefighters: fire, gas, smoke (get out first)"),
        "violence_partner": _(
            "<b>3919</b> · Violences Femmes Info: free and anonymous, day and night"
        ),
        "violence_child": _(
            "<b>119</b> · Allô Enfance en danger: free, day and night, for a child in danger, "
            "and children can call it themselves"
        ),
        "poison": _(
            "a poison control centre (centres-antipoison.net), or the <b>15</b> if the person "
            "is unwell"
        ),
    }


def emergency_card(texts: Texts, verdict: Verdict) -> Reply:
    _ = texts._
    lines = card_lines(texts)
    keys = [k for k in dict.fromkeys((*verdict.lines, *ALWAYS)) if k in lines]
    text = _("🚨 <b>If you or someone near you is in danger, call now:</b>") + "\n"
    text += "\n".join(f"• {lines[k]}" for k in keys)
    if {"suicide", "self_harm"} & set(verdict.kinds):
        text += "\n\n" + _(
            "You are not alone. Talking to someone now can help: 3114 answers day and night."
        )
    text += "\n\n<i>" + _("This bot is not an emergency service and cannot call for help.") + "</i>"
    return Reply(text)
