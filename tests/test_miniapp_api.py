"""The admin Mini App's API: who may call it (signed initData, fresh, with the role), and what
each route does through the same core as the chat."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bot.app import App, build_app
from bot.config import Settings
from bot.miniapp.api import AdminApi
from faq.matcher import MatchResult
from faq.review import QuestionLog
from faq.usage import Metric, Usage
from handlers.models import AuditRow, VolunteerRow
from scheduler.broadcasts import Broadcasts
from scheduler.models import BLOCKED, SENT, DeliveryRow
from scheduler.webinars import Subscriptions, Webinars
from tests.botapi import FakeBotApi
from tests.conftest import Chat, only
from tests.live import on_telegram, running
from tests.miniapp import (
    ADMIN,
    ALTERNATES_EN,
    ALTERNATES_FR,
    ENTRY,
    NOW,
    QUESTION,
    TOKEN,
    USER,
    VOLUNTEER,
    auth,
    init_data,
)
from tests.test_e2e import free_port

ROUTES = [  # every route, and the role it needs
    ("GET", "/admin/api/me", "volunteer"),
    ("GET", "/admin/api/themes", "admin"),
    ("GET", "/admin/api/entries", "admin"),
    ("POST", "/admin/api/entries", "admin"),
    ("POST", "/admin/api/entries/preview/fr", "admin"),
    ("GET", f"/admin/api/entries/{ENTRY}", "admin"),
    ("PUT", f"/admin/api/entries/{ENTRY}/fr", "admin"),
    ("POST", f"/admin/api/entries/{ENTRY}/fr/preview", "admin"),
    ("POST", f"/admin/api/entries/{ENTRY}/reviewed", "admin"),
    ("POST", f"/admin/api/entries/{ENTRY}/hidden", "admin"),
    ("POST", f"/admin/api/entries/{ENTRY}/rollback/1", "admin"),
    ("GET", "/admin/api/review", "admin"),
    ("POST", "/admin/api/review/1/abcdef/alternate", "admin"),
    ("POST", "/admin/api/review/1/abcdef/dismiss", "admin"),
    ("GET", "/admin/api/regions", "volunteer"),
    ("GET", "/admin/api/webinars", "volunteer"),
    ("POST", "/admin/api/webinars", "volunteer"),
    ("PUT", "/admin/api/webinars/1", "volunteer"),
    ("POST", "/admin/api/webinars/1/cancel", "volunteer"),
    ("GET", "/admin/api/stats", "admin"),
]


WITHOUT_DATABASE = {"/admin/api/me", "/admin/api/themes", "/admin/api/regions"}


@pytest.fixture
async def client(staff_app: App) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    web_app = web.Application()
    AdminApi(staff_app, TOKEN, clock=lambda: NOW).add_to(web_app)
    async with TestClient(TestServer(web_app)) as test_client:
        yield test_client


async def call(
    client: TestClient[web.Request, web.Application],
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    **body: object,
) -> tuple[int, Any]:
    async with client.request(method, path, headers=headers, json=body or None) as response:
        return response.status, await response.json()


# --- who may call ---


async def test_without_valid_fresh_initdata_every_route_is_401(
    client: TestClient[web.Request, web.Application],
) -> None:
    good = init_data(ADMIN)
    tampered = good.replace(str(ADMIN), str(ADMIN + 1))  # another user, same hash
    forged = init_data(ADMIN, token="999:another-bot's-token")
    stale = init_data(ADMIN, signed_at=NOW - dt.timedelta(hours=1, seconds=1))
    future = init_data(ADMIN, signed_at=NOW + dt.timedelta(hours=1))
    for method, path, _ in ROUTES:
        for headers in (
            None,
            {"Authorization": f"Bearer {good}"},
            auth(tampered),
            auth(forged),
            auth(stale),
            auth(future),
            auth("hash=00&user=%7B%7D"),
        ):
            status, body = await call(client, method, path, headers)
            assert status == 401, (method, path, headers, body)
    async with client.get("/admin/api/me", headers=auth(good)) as response:
        assert response.status == 200  # the same data, untouched, is accepted


async def test_each_route_refuses_callers_without_its_role_and_changes_nothing(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    for method, path, needed in ROUTES:
        refused = (VOLUNTEER, USER) if needed == "admin" else (USER,)
        for user in refused:
            status, _ = await call(client, method, path, auth(init_data(user)), answer="pirate")
            assert status == 403, (method, path, user)
    async with staff_app.sessions() as session:
        assert list(await session.scalars(select(AuditRow))) == []  # nothing was changed


async def test_a_dead_database_is_a_503_not_a_traceback(staff_app: App, tmp_path: Path) -> None:
    unreachable = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'bot.db'}")
    dead = dataclasses.replace(staff_app, sessions=async_sessionmaker(unreachable))
    web_app = web.Application()
    AdminApi(dead, TOKEN, clock=lambda: NOW).add_to(web_app)
    async with TestClient(TestServer(web_app)) as dead_client:
        for method, path, _ in ROUTES:
            status, body = await call(dead_client, method, path, auth(init_data(ADMIN)))
            if path in WITHOUT_DATABASE:  # administrators are known from the settings
                assert status == 200, (method, path)
            elif method == "GET":
                assert status == 503 and "database" in body["error"], (method, path)
            else:  # refused before the database for want of a body, or for it
                assert status in (422, 503), (method, path)
    await unreachable.dispose()


async def test_me_says_who_is_signed_in_and_their_roles(
    client: TestClient[web.Request, web.Application],
) -> None:
    status, admin = await call(client, "GET", "/admin/api/me", auth(init_data(ADMIN)))
    assert status == 200
    assert admin == {
        "user_id": ADMIN,
        "roles": ["admin", "volunteer"],
        "regions": None,
        "lang": "fr",
    }
    status, volunteer = await call(client, "GET", "/admin/api/me", auth(init_data(VOLUNTEER)))
    assert status == 200 and volunteer["roles"] == ["volunteer"] and volunteer["regions"] == ["53"]  # type: ignore[index]
    status, _ = await call(client, "GET", "/admin/api/me", auth(init_data(USER)))
    assert status == 403


# --- the FAQ ---


async def test_entries_are_listed_per_language_and_searched_as_in_the_chat(
    client: TestClient[web.Request, web.Application],
) -> None:
    headers = auth(init_data(ADMIN))
    status, listed = await call(client, "GET", "/admin/api/entries", headers)
    assert status == 200 and isinstance(listed, list)
    assert {(row["id"], row["lang"]) for row in listed} >= {(ENTRY, "fr"), (ENTRY, "en")}
    assert {"question", "answer", "reviewed", "theme", "hidden", "version"} <= set(listed[0])
    assert {"asked", "up", "down", "theme_name"} <= set(listed[0])
    status, found = await call(client, "GET", "/admin/api/entries?q=activer+profil", headers)
    assert status == 200 and isinstance(found, list) and found[0]["id"] == ENTRY
    status, _ = await call(client, "GET", "/admin/api/entries?q=" + "x" * 201, headers)
    assert status == 422


async def test_the_list_says_how_often_each_entry_was_asked_and_its_votes(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    async with staff_app.sessions() as session:
        usage, today = Usage(session), dt.datetime.now(dt.UTC).date()
        for metric in (Metric.ANSWER, Metric.ANSWER, Metric.UP, Metric.DOWN):
            await usage.count(metric, ENTRY, today)
        await usage.count(Metric.ANSWER, ENTRY, today - dt.timedelta(days=30))  # too old
        await session.commit()
    _, listed = await call(client, "GET", "/admin/api/entries", auth(init_data(ADMIN)))
    (row,) = (r for r in listed if r["id"] == ENTRY and r["lang"] == "fr")
    assert (row["asked"], row["up"], row["down"]) == (2, 1, 1)
    assert row["theme_name"] == "🔑 Activation et refus"


async def test_an_entry_comes_with_both_languages_and_its_revisions(
    client: TestClient[web.Request, web.Application],
) -> None:
    headers = auth(init_data(ADMIN))
    status, detail = await call(client, "GET", f"/admin/api/entries/{ENTRY}", headers)
    assert status == 200 and isinstance(detail, dict)
    assert detail["entry"]["fr"]["question"] and detail["entry"]["en"]["question"]
    assert [r["version"] for r in detail["revisions"]] == [detail["version"]]
    status, _ = await call(client, "GET", "/admin/api/entries/no.such_entry", headers)
    assert status == 404


async def test_a_saved_answer_is_the_bots_next_answer_and_is_audited_then_rolled_back(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    headers = auth(init_data(ADMIN))
    marker = "Réponse relue depuis la page d'administration."
    _, detail = await call(client, "GET", f"/admin/api/entries/{ENTRY}", headers)
    assert isinstance(detail, dict)
    answer = detail["entry"]["fr"]["answer"] + "\n\n" + marker
    status, saved = await call(
        client, "PUT", f"/admin/api/entries/{ENTRY}/fr", headers, answer=answer, version=1
    )
    assert status == 200 and saved == {"id": ENTRY, "version": 2}
    assert marker in only(await Chat(staff_app, user_id=USER).say(QUESTION))
    async with staff_app.sessions() as session:
        (record,) = await session.scalars(select(AuditRow))
    assert record.actor_id == ADMIN and record.subject == ENTRY

    status, _ = await call(client, "POST", f"/admin/api/entries/{ENTRY}/rollback/1", headers)
    assert status == 200
    assert marker not in only(await Chat(staff_app, user_id=USER).say(QUESTION))
    status, _ = await call(client, "POST", f"/admin/api/entries/{ENTRY}/rollback/99", headers)
    assert status == 404
    status, _ = await call(client, "POST", f"/admin/api/entries/{ENTRY}/rollback/1e3", headers)
    assert status == 404


async def test_the_shared_fields_are_saved_with_either_language_and_entries_hidden(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    headers = auth(init_data(ADMIN))
    path = f"/admin/api/entries/{ENTRY}"
    status, _ = await call(client, "PUT", f"{path}/en", headers, theme="weather", version=1)
    assert status == 422
    status, saved = await call(
        client, "PUT", f"{path}/en", headers, theme="account", related=["account.login"], version=1
    )
    assert status == 200 and saved["version"] == 2
    _, detail = await call(client, "GET", path, headers)
    assert (detail["entry"]["theme"], detail["entry"]["related"]) == ("account", ["account.login"])

    status, hidden = await call(client, "POST", f"{path}/hidden", headers, hidden=True)
    assert status == 200 and hidden["version"] == 3
    assert "code provisoire" not in only(await Chat(staff_app, user_id=USER).say(QUESTION))
    status, _ = await call(client, "POST", f"{path}/hidden", headers, hidden=False)
    assert status == 200
    assert "code provisoire" in only(await Chat(staff_app, user_id=USER).say(QUESTION))
    status, _ = await call(
        client, "POST", "/admin/api/entries/no.such/hidden", headers, hidden=True
    )
    assert status == 404
    async with staff_app.sessions() as session:
        actions = [r.action for r in await session.scalars(select(AuditRow).order_by(AuditRow.id))]
    assert actions == ["faq.edit", "faq.hide", "faq.show"]


async def test_bad_saves_are_refused_with_their_reasons_and_change_nothing(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    headers = auth(init_data(ADMIN))
    path = f"/admin/api/entries/{ENTRY}/fr"
    status, body = await call(client, "PUT", path, headers, answer="")
    assert status == 422 and "answer" in json.dumps(body)
    status, body = await call(client, "PUT", path, headers, colour="blue")
    assert status == 422 and "colour" in json.dumps(body)
    status, body = await call(client, "PUT", path, headers, answer="<b>unclosed")
    assert status == 422 and body["problems"]  # type: ignore[index]
    status, body = await call(client, "PUT", path, headers, answer="Plus récent.", version=7)
    assert status == 409 and body["version"] == 1  # type: ignore[index]
    status, _ = await call(client, "PUT", f"/admin/api/entries/{ENTRY}/de", headers, answer="x")
    assert status == 404
    async with client.put(path, headers=headers, data=b"{" + b" " * 70_000 + b"}") as response:
        assert response.status == 413
    async with client.put(path, headers=headers, data=b"not json") as response:
        assert response.status == 422
    async with staff_app.sessions() as session:
        assert list(await session.scalars(select(AuditRow))) == []


async def test_marking_reviewed_today_is_a_revision_with_its_changes_shown(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    headers = auth(init_data(ADMIN))
    path = f"/admin/api/entries/{ENTRY}"
    status, body = await call(client, "POST", f"{path}/reviewed", headers, version=9)
    assert status == 409  # the page showed another version
    status, body = await call(client, "POST", f"{path}/reviewed", headers, version=1)
    assert status == 200 and body == {"id": ENTRY, "version": 2}
    status, detail = await call(client, "GET", path, headers)
    assert detail["entry"]["reviewed"] == "2026-12-02"  # today in Paris by the API's clock
    newest, created = detail["revisions"]
    assert created["changes"] == []  # the first revision changed nothing: it was created
    (change,) = newest["changes"]
    assert change["part"] == "Date de vérification" and change["lines"][-1] == ["+", "2026-12-02"]
    status, body = await call(client, "POST", f"{path}/reviewed", headers)
    assert status == 200 and body["version"] == 2  # already today: no new revision

    answer = detail["entry"]["fr"]["answer"] + "\nUne ligne de plus."
    await call(client, "PUT", f"{path}/fr", headers, answer=answer, version=2)
    _, detail = await call(client, "GET", path, headers)
    (change,) = detail["revisions"][0]["changes"]
    assert change["part"] == "Réponse (fr)" and ["+", "Une ligne de plus."] in change["lines"]
    assert [op for op, _ in change["lines"]].count("+") == 1  # the rest of the answer is kept
    async with staff_app.sessions() as session:
        actions = [r.action for r in await session.scalars(select(AuditRow))]
    assert actions == ["faq.edit", "faq.edit"]


def new_entry(**changes: object) -> dict[str, object]:
    block = {
        "question": "Puis-je consulter mon dossier à l'étranger ?",
        "alternates": ALTERNATES_FR,
        "keywords": [],
        "answer": "Oui : l'application et le site marchent depuis l'étranger.",
    }
    english = {
        "question": "Can I see my record from abroad?",
        "alternates": ALTERNATES_EN,
        "keywords": [],
        "answer": "Yes: the app and the website work from abroad.",
    }
    return {
        "id": "account.abroad",
        "theme": "account",
        "sources": ["https://www.monespacesante.fr/questions-frequentes"],
        "fr": block,
        "en": english,
    } | changes


async def test_a_new_entry_is_previewed_then_created_and_answered_at_once(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    headers = auth(init_data(ADMIN))
    status, themes = await call(client, "GET", "/admin/api/themes", headers)
    assert status == 200 and {"id": "account", "name": "👤 Connexion"} in themes
    status, shown = await call(
        client, "POST", "/admin/api/entries/preview/fr", headers, entry=new_entry()
    )
    assert status == 200 and shown["problems"] == [] and "l'étranger" in shown["html"]
    status, shown = await call(
        client, "POST", "/admin/api/entries/preview/en", headers, entry=new_entry(id="Bad Id")
    )
    assert status == 200 and shown["html"] == "" and "id" in shown["problems"][0]
    for bad, code in (
        (new_entry(theme="weather"), 422),
        (new_entry(sources=[]), 422),
        (new_entry(id=ENTRY), 409),  # exists already
    ):
        status, body = await call(client, "POST", "/admin/api/entries", headers, entry=bad)
        assert status == code, body
    status, created = await call(client, "POST", "/admin/api/entries", headers, entry=new_entry())
    assert status == 201 and created == {"id": "account.abroad", "version": 1, "reviewed": 0}
    reply = only(await Chat(staff_app, user_id=USER).say("mon espace santé depuis l'étranger"))
    assert "marchent depuis l'étranger" in reply
    async with staff_app.sessions() as session:
        (record,) = await session.scalars(select(AuditRow))
    assert (record.action, record.subject, record.actor_id) == ("faq.add", "account.abroad", ADMIN)


async def test_a_review_group_becomes_a_new_entry_and_leaves_the_queue(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    headers = auth(init_data(ADMIN))
    unanswered = MatchResult("fallback", None, 0.0, ())
    async with staff_app.sessions() as session:
        for text in ("consulter mon dossier en vacances au canada", "dossier santé au canada"):
            await QuestionLog(session).record("fr", text, unanswered)
        await session.commit()
    _, groups = await call(client, "GET", "/admin/api/review", headers)
    shown = {"anchor": groups[0]["anchor"], "stamp": groups[0]["stamp"]}
    status, body = await call(
        client,
        "POST",
        "/admin/api/entries",
        headers,
        entry=new_entry(),
        review=shown | {"stamp": "0000"},
    )
    assert status == 409 and body["group"]  # the group changed since shown: nothing created
    for anchor in (2**70, -1):
        status, _ = await call(
            client,
            "POST",
            "/admin/api/entries",
            headers,
            entry=new_entry(),
            review={"anchor": anchor, "stamp": "0"},
        )
        assert status == 422
    status, created = await call(
        client, "POST", "/admin/api/entries", headers, entry=new_entry(), review=shown
    )
    reviewed = sum(group["count"] for group in groups if group["anchor"] == shown["anchor"])
    assert status == 201 and created["reviewed"] == reviewed
    _, left = await call(client, "GET", "/admin/api/review", headers)
    assert shown["anchor"] not in [group["anchor"] for group in left]
    async with staff_app.sessions() as session:
        actions = [r.action for r in await session.scalars(select(AuditRow))]
    assert actions == ["review.new_entry"]


# --- the review queue ---


async def test_the_review_queue_groups_questions_and_never_says_who_asked(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    unanswered = MatchResult("fallback", None, 0.0, ())
    async with staff_app.sessions() as session:
        for text in ("ma carte vitale est perdue", "j'ai perdu ma carte vitale", "météo"):
            await QuestionLog(session).record("fr", text, unanswered)
        await session.commit()
    status, groups = await call(client, "GET", "/admin/api/review", auth(init_data(ADMIN)))
    assert status == 200 and isinstance(groups, list) and groups
    assert sum(group["count"] for group in groups) == 3
    assert {"lang", "text", "count", "phrasings", "kinds", "suggestions"} <= set(groups[0])
    text = json.dumps(groups)
    assert "user" not in text and str(USER) not in text
    async with client.get("/admin/api/review?limit=1", headers=auth(init_data(ADMIN))) as page:
        assert len(await page.json()) == 1 and page.headers["X-Total-Count"] == str(len(groups))
    status, rest = await call(
        client, "GET", "/admin/api/review?offset=1&limit=200", auth(init_data(ADMIN))
    )
    assert status == 200 and rest == groups[1:]
    for bad in ("limit=0", "limit=201", "offset=-1", "limit=ten"):
        status, _ = await call(client, "GET", f"/admin/api/review?{bad}", auth(init_data(ADMIN)))
        assert status == 422


async def test_a_review_group_becomes_an_alternate_and_the_bot_answers_it(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    headers = auth(init_data(ADMIN))
    asked = "procédure pour démarrer mon dossier numérique santé"
    unanswered = MatchResult("fallback", None, 0.0, ())
    async with staff_app.sessions() as session:
        for text in (asked, asked, "météo de demain"):
            await QuestionLog(session).record("fr", text, unanswered)
        await session.commit()
    _, groups = await call(client, "GET", "/admin/api/review", headers)
    assert isinstance(groups, list)
    group = next(g for g in groups if g["count"] == 2)
    weather = next(g for g in groups if g["count"] == 1)
    base = f"/admin/api/review/{group['anchor']}"
    status, body = await call(client, "POST", f"{base}/000000/alternate", headers, entry_id=ENTRY)
    assert status == 409 and body["group"]["stamp"] == group["stamp"]  # type: ignore[index]
    status, _ = await call(client, "POST", f"{base}/{group['stamp']}/alternate", headers)
    assert status == 422  # which entry?
    status, _ = await call(
        client,
        "POST",
        f"{base}/{group['stamp']}/alternate",
        auth(init_data(VOLUNTEER)),
        entry_id=ENTRY,
    )
    assert status == 403
    status, added = await call(
        client, "POST", f"{base}/{group['stamp']}/alternate", headers, entry_id=ENTRY
    )
    assert status == 200 and added["reviewed"] == 2  # type: ignore[index]
    assert "code provisoire" in only(await Chat(staff_app, user_id=USER).say(asked))
    status, _ = await call(
        client, "POST", f"{base}/{group['stamp']}/alternate", headers, entry_id=ENTRY
    )
    assert status == 404  # reviewed: gone from the queue

    path = f"/admin/api/review/{weather['anchor']}/{weather['stamp']}/dismiss"
    status, dismissed = await call(client, "POST", path, headers)
    assert status == 200 and dismissed == {"reviewed": 1}
    _, left = await call(client, "GET", "/admin/api/review", headers)
    assert left == []
    for forged in ("/admin/api/review/-1/abc/dismiss", "/admin/api/review/1e9/abc/dismiss"):
        status, _ = await call(client, "POST", forged, headers)
        assert status == 404


# --- webinars ---


def webinar(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "title": "Mon espace santé pas à pas",
        "link": "https://visio.example.org/webinaire",
        "starts_at": "2026-12-10T18:30:00",  # Paris time, as the wizard reads it
        "duration_minutes": 60,
        "regions": ["53"],
    }
    return form | changes


async def test_volunteers_publish_in_their_regions_and_see_theirs(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    volunteer, admin = auth(init_data(VOLUNTEER)), auth(init_data(ADMIN))
    status, created = await call(client, "POST", "/admin/api/webinars", volunteer, **webinar())
    assert status == 201 and isinstance(created, dict)
    assert created["starts_at"] == "2026-12-10T17:30:00+00:00" and created["mine"] is True
    for regions in (["84"], []):  # another region, or national: not theirs to publish
        status, _ = await call(
            client, "POST", "/admin/api/webinars", volunteer, **webinar(regions=regions)
        )
        assert status == 403
    status, _ = await call(
        client, "POST", "/admin/api/webinars", admin, **webinar(regions=["84"], title="Ailleurs")
    )
    assert status == 201
    _, theirs = await call(client, "GET", "/admin/api/webinars", volunteer)
    _, everything = await call(client, "GET", "/admin/api/webinars", admin)
    assert isinstance(theirs, list) and isinstance(everything, list)
    assert [w["title"] for w in theirs] == ["Mon espace santé pas à pas"]
    assert len(everything) == 2
    async with staff_app.sessions() as session:
        records = list(await session.scalars(select(AuditRow).order_by(AuditRow.id)))
    assert [(r.actor_id, r.action) for r in records] == [
        (VOLUNTEER, "webinar.publish"),
        (ADMIN, "webinar.publish"),
    ]
    status, _ = await call(
        client, "POST", "/admin/api/webinars", auth(init_data(USER)), **webinar()
    )
    assert status == 403


async def test_a_webinar_form_is_checked_as_the_wizard_checks_it(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    admin = auth(init_data(ADMIN))
    for changes, problem in (
        ({"link": "http://visio.example.org"}, "link"),
        ({"starts_at": "2026-12-01T09:00:00+01:00"}, "start_past"),
        ({"duration_minutes": 2}, "duration"),
        ({"regions": ["99"]}, "regions"),
        ({"title": "  "}, "title"),
        ({"announce_at": "2026-12-11T09:00:00"}, "announce"),
    ):
        status, body = await call(
            client, "POST", "/admin/api/webinars", admin, **webinar(**changes)
        )
        assert status == 422 and problem in body["problems"], (changes, body)  # type: ignore[index]
    status, body = await call(
        client, "POST", "/admin/api/webinars", admin, **webinar(starts_at="demain")
    )
    assert status == 422 and "starts_at" in json.dumps(body)
    async with staff_app.sessions() as session:
        assert list(await session.scalars(select(AuditRow))) == []


async def test_times_the_wizard_would_refuse_are_refused(
    client: TestClient[web.Request, web.Application],
) -> None:
    admin = auth(init_data(ADMIN))
    for changes, problem in (
        ({"starts_at": "2027-03-28T02:30:00"}, "start_nonexistent"),  # clocks go forward
        ({"starts_at": "2029-01-10T18:30:00"}, "start_too_far"),
        (
            {"announce_at": "2027-03-28T02:15:00", "starts_at": "2027-04-01T18:00"},
            "announce_nonexistent",
        ),
    ):
        status, body = await call(
            client, "POST", "/admin/api/webinars", admin, **webinar(**changes)
        )
        assert status == 422 and problem in body["problems"], (changes, body)
    status, body = await call(client, "POST", "/admin/api/webinars", admin, **webinar(revision=1))
    assert status == 422  # a revision belongs to a change, not to a new webinar


async def test_a_webinar_is_changed_then_cancelled_by_whoever_may(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    volunteer, admin = auth(init_data(VOLUNTEER)), auth(init_data(ADMIN))
    _, theirs = await call(client, "POST", "/admin/api/webinars", volunteer, **webinar())
    _, national = await call(
        client, "POST", "/admin/api/webinars", admin, **webinar(regions=[], title="National")
    )
    path = f"/admin/api/webinars/{theirs['id']}"
    moved = webinar(starts_at="2026-12-11T18:30:00", revision=theirs["revision"])
    status, body = await call(client, "PUT", path, volunteer, **webinar())
    assert status == 422  # which revision did they see?
    status, body = await call(client, "PUT", path, volunteer, **moved | {"revision": 9})
    assert status == 409 and body["webinar"]["revision"] == theirs["revision"]
    status, body = await call(
        client, "PUT", f"/admin/api/webinars/{national['id']}", volunteer, **moved
    )
    assert status == 403 and body["reason"] == "not_yours"
    status, body = await call(client, "PUT", path, volunteer, **moved | {"regions": ["84"]})
    assert status == 403 and body["reason"] == "regions"  # not their region
    status, body = await call(client, "PUT", path, volunteer, **moved | {"link": "http://x.org"})
    assert status == 422 and body["problems"] == ["link"]
    status, changed = await call(client, "PUT", path, volunteer, **moved)
    assert status == 200 and changed["starts_at"] == "2026-12-11T17:30:00+00:00"
    assert changed["revision"] == theirs["revision"] + 1

    status, _ = await call(client, "POST", f"{path}/cancel", admin, revision=theirs["revision"])
    assert status == 409  # the administrator saw it before the change
    status, cancelled = await call(
        client, "POST", f"{path}/cancel", admin, revision=changed["revision"]
    )
    assert status == 200 and cancelled["status"] == "cancelled"
    status, _ = await call(client, "PUT", path, volunteer, **moved | {"revision": 3})
    assert status == 404  # cancelled: nothing more to change
    for forged in ("/admin/api/webinars/1e3", "/admin/api/webinars/99999"):
        status, _ = await call(client, "PUT", forged, admin, **moved)
        assert status == 404
    async with staff_app.sessions() as session:
        records = list(await session.scalars(select(AuditRow).order_by(AuditRow.id)))
    assert [(r.actor_id, r.action) for r in records][2:] == [
        (VOLUNTEER, "webinar.edit"),
        (ADMIN, "webinar.cancel"),
    ]


async def test_a_month_lists_its_webinars_with_how_far_each_broadcast_got(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    admin = auth(init_data(ADMIN))
    _, first = await call(client, "POST", "/admin/api/webinars", admin, **webinar())
    _, other = await call(
        client, "POST", "/admin/api/webinars", admin, **webinar(starts_at="2027-01-05T18:00")
    )
    async with staff_app.sessions() as session:
        for user in range(9001, 9005):
            await Subscriptions(session).subscribe(user, "53", "fr")
        shown = await Webinars(session).get(first["id"])
        assert shown is not None
        assert await Broadcasts(session).fire(shown, "announce") == 4
        rows = list(await session.scalars(select(DeliveryRow).order_by(DeliveryRow.id)))
        rows[0].status, rows[1].status, rows[2].status = SENT, SENT, BLOCKED
        await session.commit()
    status, december = await call(client, "GET", "/admin/api/webinars?month=2026-12", admin)
    assert status == 200 and [w["id"] for w in december] == [first["id"]]
    assert december[0]["region_names"] == ["Bretagne"]
    (announce,) = december[0]["broadcasts"]
    assert announce | {"fired_at": None} == {
        "kind": "announce",
        "minutes_before": 0,
        "fired_at": None,
        "total": 4,
        "sent": 2,
        "pending": 1,
        "blocked": 1,
        "failed": 0,
        "skipped": 0,
    }
    _, january = await call(client, "GET", "/admin/api/webinars?month=2027-01", admin)
    assert [w["id"] for w in january] == [other["id"]]
    await call(client, "POST", f"/admin/api/webinars/{other['id']}/cancel", admin, revision=1)
    _, january = await call(client, "GET", "/admin/api/webinars?month=2027-01", admin)
    assert [w["status"] for w in january] == ["cancelled"]  # a month shows cancelled ones too
    _, upcoming = await call(client, "GET", "/admin/api/webinars", admin)
    assert [w["id"] for w in upcoming] == [first["id"]]
    for bad in ("2026-13", "2026-1", "december", "1999-12"):
        status, _ = await call(client, "GET", f"/admin/api/webinars?month={bad}", admin)
        assert status == 422
    status, regions = await call(client, "GET", "/admin/api/regions", auth(init_data(VOLUNTEER)))
    assert status == 200 and [r["code"] for r in regions] == ["53"]
    _, every = await call(client, "GET", "/admin/api/regions", admin)
    assert len(every) == 18 and {"code": "53", "name": "Bretagne"} in every


# --- statistics ---


async def test_the_statistics_are_counts_and_name_nobody(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    chat = Chat(staff_app, user_id=USER)
    await chat.say(QUESTION)
    await chat.say("quelle est la météo à Brest")
    async with staff_app.sessions() as session:
        await Subscriptions(session).subscribe(USER, "53", "fr")
        await session.commit()
    status, figures = await call(client, "GET", "/admin/api/stats", auth(init_data(ADMIN)))
    assert status == 200
    assert (
        len(figures["days"]) == 30
        and figures["days"][-1] == dt.datetime.now(dt.UTC).date().isoformat()
    )
    assert sum(figures["questions"]["answer"]) == 1
    assert sum(figures["questions"]["fallback"]) + sum(figures["questions"]["suggest"]) == 1
    assert figures["most_asked"][0]["id"] == ENTRY
    assert figures["most_asked"][0]["question"].startswith("Comment")
    assert figures["subscribers"] == [{"code": "53", "name": "Bretagne", "count": 1}]
    assert figures["totals"]["asked"] == 2
    assert str(USER) not in json.dumps(figures)


# --- served by `mesbot run` ---


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_mesbot_run_serves_the_api_on_its_own_server(
    api: FakeBotApi, settings: Settings, mode: str
) -> None:
    port = free_port()
    more: dict[str, object] = {"admin_ids": [ADMIN], "listen": f"127.0.0.1:{port}"}
    if mode == "polling":
        more["admin_url"] = "https://bot.example.org/admin/"
    else:
        more["webhook_url"] = f"http://127.0.0.1:{port}/telegram/hook"
        more["webhook_secret"] = SecretStr("mini-app-secret")
    bot = on_telegram(settings, api, "ptb", **more)
    async with running(bot, api), aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}/admin/api/me"
        async with http.get(url) as response:
            assert response.status == 401
        fresh = init_data(ADMIN, signed_at=dt.datetime.now(dt.UTC), token=api.token)
        async with http.get(url, headers=auth(fresh)) as response:
            assert response.status == 200
            assert (await response.json())["user_id"] == ADMIN


async def test_polling_without_an_admin_page_opens_no_port(
    api: FakeBotApi, settings: Settings
) -> None:
    port = free_port()
    bot = on_telegram(settings, api, "ptb", listen=f"127.0.0.1:{port}")
    async with running(bot, api), aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(f"http://127.0.0.1:{port}/admin/api/me")


async def test_a_preview_shows_the_message_and_its_problems_and_saves_nothing(
    client: TestClient[web.Request, web.Application], staff_app: App
) -> None:
    headers = auth(init_data(ADMIN))
    path = f"/admin/api/entries/{ENTRY}/fr/preview"
    status, shown = await call(client, "POST", path, headers, answer="Voici <b>la réponse</b>.")
    assert status == 200 and shown["problems"] == []  # type: ignore[index]
    assert "Voici <b>la réponse</b>." in shown["html"]  # type: ignore[index]
    status, shown = await call(client, "POST", path, headers, answer="<b>jamais fermé")
    assert status == 200 and shown["problems"]  # type: ignore[index]
    status, _ = await call(client, "POST", path, auth(init_data(VOLUNTEER)), answer="x")
    assert status == 403
    async with staff_app.sessions() as session:
        assert list(await session.scalars(select(AuditRow))) == []


async def test_the_page_and_its_files_are_served_under_a_strict_policy(
    client: TestClient[web.Request, web.Application],
) -> None:
    async with client.get("/admin", allow_redirects=False) as response:
        assert response.status == 308 and response.headers["Location"] == "/admin/"
    for path in ("/admin/", "/admin/static/app.js", "/admin/static/style.css"):
        async with client.get(path) as response:
            assert response.status == 200
            policy = response.headers["Content-Security-Policy"]
            assert "default-src 'none'" in policy and "script-src 'self'" in policy
    async with client.get("/admin/") as response:
        page = await response.text()
    names = re.findall(r'(?:src|href)="static/([^"]+)"', page)
    for name in names:  # every file the page names, and every module a script imports
        async with client.get(f"/admin/static/{name}") as response:
            assert response.status == 200, name
            imported = re.findall(r'from "\./([^"]+)"', await response.text())
            names += [n for n in imported if n not in names]
    assert {"app.js", "common.js", "faq.js", "review.js", "webinars.js", "stats.js"} <= set(names)
    # Nothing from elsewhere, nothing inline.
    assert "https://" not in page and "<script>" not in page
    for path in ("/admin/static/page.py", "/admin/static/..%2Fapi.py", "/admin/static/"):
        async with client.get(path) as response:
            assert response.status == 404
    async with client.get("/admin/texts.json?lang=en") as response:
        assert (await response.json())["save"] == "Save"
    async with client.get("/admin/texts.json?lang=xx") as response:
        assert (await response.json())["save"] == "Enregistrer"


# --- how administrators open it ---


async def test_admin_opens_the_page_from_a_button_only_administrators_get(
    settings: Settings,
) -> None:
    page = "https://bot.example.org/admin/"
    bot = settings.model_copy(update={"admin_ids": [ADMIN], "admin_url": page})
    async with build_app(bot) as app:
        reply = (await Chat(app, user_id=ADMIN).say("/admin")).replies[0]
        (button,) = (b for row in reply.buttons for b in row)
        assert button.web_app == page and "Telegram" in reply.text
        assert "administrateurs" in only(await Chat(app, user_id=USER).say("/admin"))
        in_group = only(await Chat(app, user_id=ADMIN, group=-1001).say("/admin"))
        assert "privée" in in_group
    async with build_app(settings.model_copy(update={"admin_ids": [ADMIN]})) as app:
        assert "MESBOT_ADMIN_URL" in only(await Chat(app, user_id=ADMIN).say("/admin"))


async def test_my_webinars_offers_the_calendar_page_to_volunteers_in_private(
    settings: Settings,
) -> None:
    page = "https://bot.example.org/admin/?from=bot"
    bot = settings.model_copy(update={"admin_url": page})
    async with build_app(bot) as app:
        async with app.sessions() as session:
            session.add(
                VolunteerRow(user_id=VOLUNTEER, regions=["53"], granted_by=ADMIN, granted_at=NOW)
            )
            await session.commit()
        reply = (await Chat(app, user_id=VOLUNTEER).say("/mes_webinaires")).replies[0]
        (button,) = (b for row in reply.buttons for b in row if b.web_app)
        assert button.web_app == "https://bot.example.org/admin/?from=bot&screen=webinars"
        in_group = (await Chat(app, user_id=VOLUNTEER, group=-1001).say("/mes_webinaires")).replies
        assert not [b for r in in_group for row in r.buttons for b in row if b.web_app]
    async with build_app(settings) as app:  # no admin page: no button
        reply = (await Chat(app, user_id=VOLUNTEER).say("/mes_webinaires")).replies[0]
        assert not [b for row in reply.buttons for b in row if b.web_app]


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_the_admin_button_reaches_telegram_as_a_mini_app_button(
    api: FakeBotApi, settings: Settings, framework: str
) -> None:
    page = "https://bot.example.org/admin/"
    bot = on_telegram(
        settings,
        api,
        framework,
        admin_ids=[ADMIN],
        admin_url=page,
        listen=f"127.0.0.1:{free_port()}",
    )
    async with running(bot, api):
        api.user_says(ADMIN, "/admin")
        (sent,) = await api.next_messages(ADMIN)
    (button,) = (b for row in (sent.reply_markup or {})["inline_keyboard"] for b in row)
    assert button["web_app"] == {"url": page}
    assert ("chat", ADMIN, "fr") in api.commands  # the administrator's menu lists /admin
    assert "admin" in {name for name, _ in api.commands[("chat", ADMIN, "fr")]}
