"""Granting and revoking the volunteer role (/benevoles), the audit log (/audit and `mesbot
audit`), and the server-side permission checks behind every staff command and button."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from bot.app import App, build_app
from bot.cli import main
from bot.config import Settings
from handlers.audit import Action, Audit
from handlers.callbacks import AuditPage, VolunteerButton
from handlers.events import Incoming, Response
from handlers.models import VolunteerRow
from handlers.roles import Role
from tests.conftest import Chat, only

ADMIN = 900
VOLUNTEER = 5_000_000_001  # past 32 bits, as new Telegram accounts are
OTHER = 777


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_ids": [ADMIN]})


@pytest.fixture
async def admin_app(admin_settings: Settings) -> AsyncIterator[App]:
    async with build_app(admin_settings) as built:
        yield built


def labels(response: Response) -> list[str]:
    return [b.label for r in response.replies for row in r.buttons for b in row]


async def send(app: App, **fields: object) -> Response:
    event = Incoming(fields.pop("user_id"), fields.pop("chat_id"), "fr", **fields)  # type: ignore[arg-type]
    return await app.conversation.handle(event)


async def role(app: App, user_id: int) -> Role:
    async with app.sessions() as session:
        return await app.conversation.roles.role_of(session, user_id)


async def records(app: App) -> list[tuple[str, str, int | None]]:
    async with app.sessions() as session:
        found = await Audit(session).since(None)
    return [(r.action, r.subject, r.actor_id) for r in found]


async def test_grant_by_id_in_chosen_regions_then_revoke(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    listing = only(await admin.say("/benevoles"))
    assert "Personne" in listing
    await admin.press_label("➕ Donner le rôle")
    picker = await admin.say(str(VOLUNTEER))
    assert "Île-de-France" in labels(picker)
    await admin.press_label("Île-de-France")
    toggled = await admin.press_label("Bretagne")
    assert {"✅ Île-de-France", "✅ Bretagne"} <= set(labels(toggled))
    granted = await admin.press_label("💾 Enregistrer")
    assert granted.roles_changed == (VOLUNTEER,)
    assert "Bretagne" in only(granted) and "Île-de-France" in only(granted)
    assert await role(admin_app, VOLUNTEER) is Role.VOLUNTEER
    async with admin_app.sessions() as session:
        publisher = await admin_app.conversation.roles.publisher(session, VOLUNTEER)
    assert publisher is not None and publisher.regions == {"11", "53"}

    volunteer = Chat(admin_app, user_id=VOLUNTEER)
    assert "Titre" in only(await volunteer.say("/nouveau_webinaire")) or volunteer.last

    listing = only(await admin.say("/benevoles"))
    assert str(VOLUNTEER) in listing
    await admin.press_label(f"👤 {VOLUNTEER}")
    await admin.press_label("🚫 Retirer le rôle")
    revoked = await admin.press_label("Oui, retirer")
    assert revoked.roles_changed == (VOLUNTEER,)
    assert await role(admin_app, VOLUNTEER) is Role.USER
    refused = only(await volunteer.say("/nouveau_webinaire"))
    assert "réservée aux bénévoles" in refused

    assert [(a, s) for a, s, _ in await records(admin_app)] == [
        (Action.ROLE_GRANT.value, str(VOLUNTEER)),
        (Action.ROLE_REVOKE.value, str(VOLUNTEER)),
    ]


async def test_grant_everywhere_makes_an_unrestricted_publisher(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    await admin.say(f"/benevoles {OTHER}")
    await admin.press_label("Partout, et national")
    await admin.press_label("💾 Enregistrer")
    async with admin_app.sessions() as session:
        publisher = await admin_app.conversation.roles.publisher(session, OTHER)
    assert publisher is not None and publisher.unrestricted


async def test_saving_without_a_region_is_refused(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    await admin.say(f"/benevoles {OTHER}")
    response = await admin.press_label("💾 Enregistrer")
    assert response.notice is not None and "au moins une région" in response.notice
    assert await role(admin_app, OTHER) is Role.USER


async def test_grant_by_username_of_someone_who_wrote(admin_app: App) -> None:
    await send(admin_app, user_id=OTHER, chat_id=OTHER, text="bonjour", username="Marie_V")
    admin = Chat(admin_app, user_id=ADMIN)
    unknown = only(await admin.say("/benevoles @personne_inconnue"))
    assert "@personne_inconnue" in unknown
    picker = await admin.say("/benevoles @marie_v")
    assert str(OTHER) in picker.replies[0].text
    await admin.press_label("Occitanie")
    await admin.press_label("💾 Enregistrer")
    assert await role(admin_app, OTHER) is Role.VOLUNTEER


async def test_usernames_are_kept_only_as_keyed_hashes(admin_app: App) -> None:
    await send(admin_app, user_id=OTHER, chat_id=OTHER, text="bonjour", username="Marie_V")
    async with admin_app.sessions() as session:
        from handlers.models import KnownUsernameRow

        rows = list(await session.scalars(select(KnownUsernameRow)))
    assert len(rows) == 1
    assert "marie" not in rows[0].username_hash.lower() and len(rows[0].username_hash) == 64


async def test_grant_by_forwarded_message(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    await admin.say("/benevoles")
    await admin.press_label("➕ Donner le rôle")
    picker = await send(
        admin_app, user_id=ADMIN, chat_id=ADMIN, text="un message", forwarded_from=OTHER
    )
    assert str(OTHER) in picker.replies[0].text
    admin.last = picker
    await admin.press_label("Partout, et national")
    await admin.press_label("💾 Enregistrer")
    assert await role(admin_app, OTHER) is Role.VOLUNTEER


async def test_a_forward_from_a_hidden_account_is_explained(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    await admin.say("/benevoles")
    await admin.press_label("➕ Donner le rôle")
    reply = await send(admin_app, user_id=ADMIN, chat_id=ADMIN, text="coucou", forward_hidden=True)
    assert "masque son compte" in only(reply)


async def test_a_forward_without_a_waiting_screen_is_a_question(admin_app: App) -> None:
    reply = await send(
        admin_app,
        user_id=OTHER,
        chat_id=OTHER,
        text="comment activer mon espace santé",
        forwarded_from=ADMIN,
    )
    assert "activ" in reply.replies[0].text.lower()


async def test_gibberish_instead_of_a_person_is_answered_and_kept_waiting(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    await admin.say("/benevoles")
    await admin.press_label("➕ Donner le rôle")
    for nobody in ("la personne de lundi", "0", "9" * 40, "@a", "<b>", "1" * 5000):
        assert "pas reconnu" in only(await admin.say(nobody)), nobody
    assert str(OTHER) in (await admin.say(str(OTHER))).replies[0].text


@pytest.mark.parametrize(
    "data",
    [
        VolunteerButton("k", str(OTHER)),
        VolunteerButton("r", str(OTHER), "11"),
        VolunteerButton("y", str(VOLUNTEER)),
        VolunteerButton("a"),
        AuditPage(0),
        AuditPage(0, "p"),
    ],
    ids=lambda d: d.pack(),
)
async def test_forged_staff_presses_are_refused_and_logged(
    admin_app: App, data: VolunteerButton | AuditPage
) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    await admin.say(f"/benevoles {VOLUNTEER}")
    await admin.press_label("Partout, et national")
    await admin.press_label("💾 Enregistrer")
    # The volunteer holds a role, but not this one; the other holds none.
    for intruder in (VOLUNTEER, OTHER):
        with capture_logs() as logs:
            response = await Chat(admin_app, user_id=intruder).press(data.pack())
        assert response.notice is not None and "réservé aux administrateurs" in response.notice
        assert response.replies == () and response.roles_changed == ()
        refused = [e for e in logs if e["event"] == "permission_refused"]
        assert refused and refused[0]["user_id"] == intruder
        assert refused[0]["attempted"] == type(data).__name__
    assert await role(admin_app, OTHER) is Role.USER
    assert await role(admin_app, VOLUNTEER) is Role.VOLUNTEER
    assert len(await records(admin_app)) == 1  # the grant alone


@pytest.mark.parametrize("command", ["/benevoles", "/audit", "/faq", "/nonrepondues"])
async def test_staff_commands_are_refused_to_others(admin_app: App, command: str) -> None:
    assert "réservée aux administrateurs" in only(await Chat(admin_app, user_id=OTHER).say(command))


async def test_a_press_on_an_older_picker_is_expired(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    await admin.say(f"/benevoles {OTHER}")
    response = await admin.press(VolunteerButton("r", str(VOLUNTEER), "11").pack())
    assert response.notice is not None and "expiré" in response.notice
    bad_region = await admin.press(VolunteerButton("r", str(OTHER), "99").pack())
    assert bad_region.notice is not None and "expiré" in bad_region.notice


async def test_an_administrator_is_not_granted_a_lesser_role(admin_app: App) -> None:
    reply = only(await Chat(admin_app, user_id=ADMIN).say(f"/benevoles {ADMIN}"))
    assert "administrat" in reply
    async with admin_app.sessions() as session:
        assert await session.get(VolunteerRow, ADMIN) is None


async def test_audit_pages_and_filter_by_person(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    for user_id in range(1000, 1010):
        await admin.say(f"/benevoles {user_id}")
        await admin.press_label("Partout, et national")
        await admin.press_label("💾 Enregistrer")
    first = only(await admin.say("/audit"))
    assert "1–8 sur 10" in first and "rôle de bénévole accordé" in first
    assert "1009" in first and "1000" not in first.split("\n\n", 1)[1].replace("1000–", "")
    second = await admin.press_label("▶️")
    assert "9–10 sur 10" in only(second)
    people = await admin.press_label("👤 Filtrer par personne")
    assert labels(people)[0] == str(ADMIN)
    mine = only(await admin.press_label(str(ADMIN)))
    assert f"{ADMIN}" in mine and "sur 10" in mine
    assert "Envoyez /audit" in only(await admin.say("/audit quelqu'un"))


def test_audit_on_the_command_line(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """A webinar published and cancelled from the command line is audited, and `mesbot audit`
    prints the records."""
    start = (dt.datetime.now() + dt.timedelta(days=30)).strftime("%Y-%m-%d 18:00")
    code = main(
        [
            "webinar", "add", "--title", "Découvrir Mon espace santé", "--region", "11",
            "--start", start, "--link", "https://example.org/w",
        ]
    )  # fmt: skip
    assert code == 0
    webinar_id = capsys.readouterr().out.split()[1]
    assert main(["webinar", "cancel", webinar_id]) == 0
    capsys.readouterr()

    assert main(["audit", "--json"]) == 0
    published, cancelled = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (published["action"], published["subject"]) == ("webinar.publish", webinar_id)
    assert published["actor_id"] is None and published["actor"] == "cli:webinar add"
    assert published["before"] is None and published["after"]["regions"] == ["11"]
    assert cancelled["action"] == "webinar.cancel"
    assert (cancelled["before"]["status"], cancelled["after"]["status"]) == (
        "scheduled",
        "cancelled",
    )
    assert main(["audit"]) == 0
    text = capsys.readouterr().out
    assert "webinar.publish" in text and text.strip().endswith("2 records")
    assert main(["audit", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out.strip() == "0 records"
    assert main(["audit", "--since", "hier"]) == 2
    assert "--since" in capsys.readouterr().err


async def test_my_data_shows_the_role_and_forget_keeps_staff_records(admin_app: App) -> None:
    admin = Chat(admin_app, user_id=ADMIN)
    await admin.say(f"/benevoles {OTHER}")
    await admin.press_label("Bretagne")
    await admin.press_label("💾 Enregistrer")
    await send(admin_app, user_id=OTHER, chat_id=OTHER, text="/mesdonnees", username="Someone")
    async with admin_app.sessions() as session:
        from handlers.users import Users

        exported = await Users(session).export(OTHER)
    assert exported["volunteer_role"]["regions"] == ["53"]
    assert len(exported["username_seen"]) == 1
    assert exported["staff_actions_in_audit_log"] == 0
    async with admin_app.sessions() as session:
        assert (await Users(session).export(ADMIN))["staff_actions_in_audit_log"] == 1


def test_user_ids_past_32_bits_fit_in_buttons(tmp_path: Path) -> None:
    packed = VolunteerButton("r", str(2**52), "84").pack()
    assert len(packed.encode()) <= 64
    from handlers.callbacks import CallbackData, CallbackError

    assert CallbackData.unpack(packed) == VolunteerButton("r", str(2**52), "84")
    for forged in ("1:b:k:-5:-", "1:b:k:12a:-", "1:b:z:1:-", "1:a:-1:0", "1:a:0:x"):
        with pytest.raises(CallbackError):
            CallbackData.unpack(forged)


async def test_privacy_says_what_administrators_see_and_staff_learn_about_their_records(
    admin_app: App,
) -> None:
    everyone = only(await Chat(admin_app, user_id=OTHER).say("/confidentialite"))
    assert "Ce que voient les administrateurs" in everyone
    assert "jamais avec qui les a posées" in everyone
    assert "journal d'audit avec votre identifiant" not in everyone
    staff = only(await Chat(admin_app, user_id=ADMIN).say("/confidentialite"))
    assert "journal d'audit avec votre identifiant" in staff
    assert len(staff) < 4096
