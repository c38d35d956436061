"""The command line, run as a user would: ``python -m bot`` in a fresh working directory."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from faq.evaluation import load_dev_set

ROOT = Path(__file__).parent.parent


def mesbot(
    cwd: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MESBOT_")}
    clean["PYTHONPATH"] = str(ROOT)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=clean,
        timeout=120,
        check=False,
    )


def test_faq_match_json(tmp_path: Path) -> None:
    done = mesbot(
        tmp_path,
        "faq",
        "match",
        "--json",
        stdin=(
            "cmt activer mon espace sante\nj'ai perdu ma carte vitale\nrecette de crepes\n\n"
            "je ne veux plus vivre\nquelle dose de doliprane pour un enfant de 20 kg\n"
        ),
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["query"] for r in rows] == [
        "cmt activer mon espace sante",
        "j'ai perdu ma carte vitale",
        "recette de crepes",
        "je ne veux plus vivre",
        "quelle dose de doliprane pour un enfant de 20 kg",
    ]
    for row in rows:
        assert set(row) >= {"query", "id", "confident", "score", "suggestions", "safety"}
    assert rows[0]["id"] == "activation.how" and rows[0]["confident"]
    assert rows[0]["safety"] is None
    assert rows[1]["id"] == "redirect.carte_vitale"
    assert rows[2]["id"] is None and not rows[2]["confident"]
    assert rows[3]["safety"] == "emergency" and rows[3]["id"] == "redirect.emergency"
    assert rows[4]["safety"] == "medical" and rows[4]["id"] == "redirect.medical"
    assert (tmp_path / "data" / "mesbot.db").exists()


def test_faq_match_bundled_plain(tmp_path: Path) -> None:
    done = mesbot(
        tmp_path, "faq", "match", "--bundled", "--lang", "en", stdin="how do I hide a document\n"
    )
    assert done.returncode == 0, done.stderr
    assert "documents.hide" in done.stdout
    assert not (tmp_path / "data").exists()


def test_faq_match_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Decisions must not depend on Python's per-process hash seed (set iteration order)."""
    questions = "\n".join(q.text for q in load_dev_set(ROOT / "tests" / "data" / "faq_dev.yaml"))
    outputs = {
        mesbot(
            tmp_path,
            "faq",
            "match",
            "--bundled",
            "--json",
            stdin=questions,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_faq_check_bundled(tmp_path: Path) -> None:
    done = mesbot(tmp_path, "faq", "check")
    assert done.returncode == 0, done.stdout
    assert "0 problems" in done.stdout


def test_faq_check_reports_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "entries": [
                    {
                        "id": "x.bad",
                        "theme": "general",
                        "reviewed": "2026-11-28",
                        "sources": ["http://x.org"],
                        "fr": {"question": "Q ?", "alternates": ["a"], "answer": "a & b"},
                        "en": {"question": "Q ?", "alternates": ["a"], "answer": "<p>x</p>"},
                    }
                ]
            }
        )
    )
    done = mesbot(tmp_path, "faq", "check", str(bad))
    assert done.returncode == 1
    assert "not an https link" in done.stdout and "bare '&'" in done.stdout


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    exported = tmp_path / "faq.json"
    assert (
        mesbot(tmp_path, "faq", "export", "--format", "json", "-o", str(exported)).returncode == 0
    )
    rows = json.loads(exported.read_text())["entries"]
    assert len(rows) >= 2 * 53
    assert set(rows[0]) >= {"id", "lang", "question", "alternates", "answer"}

    unchanged = mesbot(tmp_path, "faq", "import", str(exported))
    assert unchanged.returncode == 0, unchanged.stderr
    assert "0 added, 0 updated" in unchanged.stdout

    english = tmp_path / "en.yaml"
    assert mesbot(tmp_path, "faq", "export", "--lang", "en", "-o", str(english)).returncode == 0
    data = yaml.safe_load(english.read_text())
    assert {r["lang"] for r in data["entries"]} == {"en"}
    hide = next(r for r in data["entries"] if r["id"] == "documents.hide")
    hide["answer"] = "Open the document and choose <b>Modifier la confidentialité</b>."
    english.write_text(yaml.safe_dump({"entries": [hide]}, allow_unicode=True))
    updated = mesbot(tmp_path, "faq", "import", str(english))
    assert updated.returncode == 0, updated.stderr
    assert "1 updated" in updated.stdout

    again = json.loads(mesbot(tmp_path, "faq", "export", "--format", "json").stdout)["entries"]
    by_key = {(r["id"], r["lang"]): r for r in again}
    assert by_key["documents.hide", "en"]["answer"] == hide["answer"]
    assert (
        by_key["documents.hide", "fr"]["answer"]
        == next(r for r in rows if r["id"] == "documents.hide" and r["lang"] == "fr")["answer"]
    )


def test_import_refuses_invalid_content(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - {id: documents.hide, lang: fr, answer: 'a <br> b'}\n")
    done = mesbot(tmp_path, "faq", "import", str(bad))
    assert done.returncode == 2
    assert "not imported" in done.stderr and "Traceback" not in done.stderr


def test_chat_reads_piped_questions(tmp_path: Path) -> None:
    done = mesbot(
        tmp_path, "chat", stdin="cmt activer mon espace sante\n1\nj'ai perdu ma carte vitale\n"
    )
    assert done.returncode == 0, done.stderr
    assert "Activer mon espace santé" in done.stdout
    assert "[1]" in done.stdout
    assert "ameli" in done.stdout
    assert done.stderr == ""


def test_chat_in_english(tmp_path: Path) -> None:
    done = mesbot(tmp_path, "chat", "--lang", "en", stdin="how do i hide a document\n")
    assert "not an official service" in done.stdout
    assert "hide" in done.stdout.lower()


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        ({"MESBOT_BROADCAST_RATE": "fast"}, ["chat"], "invalid setting MESBOT_BROADCAST_RATE"),
        ({"MESBOT_REMINDERS": "1w"}, ["chat"], "invalid setting MESBOT_REMINDERS"),
        ({"MESBOT_REMINDERS": "1d,0m"}, ["chat"], "'0m' is not between 1 minute and 60 days"),
        (
            {"MESBOT_BROADCAST_RATE": "100"},
            ["run"],
            "MESBOT_BROADCAST_RATE: over 30 messages a second Telegram refuses bulk messages",
        ),
        ({"MESBOT_SCHEDULER_TICK": "60"}, ["run"], "invalid setting MESBOT_SCHEDULER_TICK"),
        ({}, ["webinar", "cancel", "7"], "no upcoming webinar 7"),
        ({}, ["run"], "MESBOT_TOKEN is not set"),
        (
            {"MESBOT_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"},
            ["db", "upgrade"],
            "cannot prepare the database",
        ),
        ({}, ["faq", "import", "missing.yaml"], "missing.yaml"),
        ({"MESBOT_LISTEN": "localhost"}, ["chat"], "invalid setting MESBOT_LISTEN"),
        ({"MESBOT_LISTEN": "127.0.0.1:99999"}, ["chat"], "invalid setting MESBOT_LISTEN"),
        ({"MESBOT_LOG_LEVEL": "verbose"}, ["chat"], "invalid setting MESBOT_LOG_LEVEL"),
        ({"MESBOT_TIMEZONE": "Mars/Olympus"}, ["chat"], "invalid setting MESBOT_TIMEZONE"),
        ({"MESBOT_API_BASE": "api.telegram.org"}, ["run"], "invalid setting MESBOT_API_BASE"),
        ({"MESBOT_API_BASE": "ftp://example.org"}, ["run"], "invalid setting MESBOT_API_BASE"),
        (
            {"MESBOT_ADMIN_URL": "http://bot.example.org/admin/"},
            ["chat"],
            "invalid setting MESBOT_ADMIN_URL: expected the page's public https:// address",
        ),
    ],
)
def test_errors_are_one_line(
    tmp_path: Path, env: dict[str, str], args: list[str], message: str
) -> None:
    done = mesbot(tmp_path, *args, env=env)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


TOKEN = "123456:secret-Token_value"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
@pytest.mark.parametrize("base", ["api.telegram.org", "http://127.0.0.1:{port}", "http://[::1"])
def test_the_token_never_reaches_the_terminal(tmp_path: Path, framework: str, base: str) -> None:
    env = {
        "MESBOT_TOKEN": TOKEN,
        "MESBOT_FRAMEWORK": framework,
        "MESBOT_API_BASE": base.format(port=closed_port()),
        "MESBOT_LOG_LEVEL": "DEBUG",
    }
    done = mesbot(tmp_path, "run", env=env)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert TOKEN not in output and "secret-Token" not in output, output
    assert "Traceback" not in output
    assert done.stderr.strip().splitlines()[-1].startswith("mesbot: "), done.stderr


def test_db_upgrade(tmp_path: Path) -> None:
    done = mesbot(tmp_path, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout


def ahead(days: int, clock: str) -> str:
    """A day ``days`` ahead of today, at ``clock``, as the command takes it."""
    return f"{dt.date.today() + dt.timedelta(days=days):%Y-%m-%d} {clock}"


def spring_gap() -> str:
    """02:30 on the next night the clocks go forward in Europe/Paris (the last Sunday of March),
    an hour that does not exist."""
    year = dt.date.today().year + 1
    last = dt.date(year, 3, 31)
    return f"{last - dt.timedelta(days=(last.weekday() + 1) % 7):%Y-%m-%d} 02:30"


def test_webinar_add_list_cancel(tmp_path: Path) -> None:
    added = mesbot(
        tmp_path,
        "webinar",
        "add",
        "--title",
        "Découvrir Mon espace santé",
        "--region",
        "84,93",
        "--start",
        ahead(40, "18:30"),
        "--link",
        "https://example.org/webinaire",
        "--duration",
        "90",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"webinar 1 created: #1 {ahead(40, '18:30')} (90 min) [84,93]")
    national = mesbot(
        tmp_path,
        "webinar",
        "add",
        "--title",
        "National",
        "--region",
        "all",
        "--start",
        ahead(41, "10:00"),
        "--link",
        "https://example.org/n",
        "--announce",
        ahead(30, "09:00"),
    )
    assert national.returncode == 0, national.stderr
    listed = mesbot(tmp_path, "webinar", "list", "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["id"], r["regions"], r["start"]) for r in rows] == [
        (1, ["84", "93"], ahead(40, "18:30")),
        (2, "all", ahead(41, "10:00")),
    ]
    assert rows[1]["announce"] == ahead(30, "09:00")  # in MESBOT_TIMEZONE, as typed
    cancelled = mesbot(tmp_path, "webinar", "cancel", "1")
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout
    again = mesbot(tmp_path, "webinar", "cancel", "1")
    assert again.returncode == 2 and again.stderr == "mesbot: no upcoming webinar 1\n"
    left = mesbot(tmp_path, "webinar", "list")
    assert [line.split()[0] for line in left.stdout.splitlines()] == ["#2"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--start", spring_gap(), "that time does not exist: the clocks go forward"),
        ("--start", "2020-01-01 10:00", "that time is past"),
        ("--start", "12/03 18h30", 'expected "YYYY-MM-DD HH:MM"'),
        ("--start", f"{dt.date.today().year + 1}-02-30 10:00", "no such date or time"),
        ("--link", "http://example.org", "--link must be an https:// address"),
        ("--region", "99", "unknown code(s) 99"),
        ("--announce", ahead(41, "10:00"), "--announce must come before --start"),
    ],
)
def test_webinar_add_refuses_with_one_line(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    arguments = {
        "--title": "T",
        "--region": "11",
        "--start": ahead(40, "18:30"),
        "--link": "https://example.org/w",
    } | {option: value}
    done = mesbot(tmp_path, "webinar", "add", *[x for pair in arguments.items() for x in pair])
    assert done.returncode == 2
    assert done.stderr.startswith("mesbot: ") and message in done.stderr
    assert done.stderr.count("\n") == 1
