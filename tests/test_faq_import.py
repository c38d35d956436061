"""`mesbot faq import` and `faq export`, run through the command line on a fresh database."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.exc import OperationalError

from bot.cli import main
from bot.config import Settings
from bot.db import create_engine, session_factory
from faq.entries import bundled_entries
from faq.exchange import dump
from faq.store import FaqStore
from handlers.audit import Audit

NEW_ENTRY = {
    "id": "test.zorglub",
    "theme": "general",
    "reviewed": "2026-01-02",
    "sources": ["https://example.org/zorglub"],
    "related": ["documents.hide"],
}
NEW_ROWS = [
    NEW_ENTRY
    | {
        "lang": "fr",
        "question": "Qu'est-ce que le zorglub ?",
        "alternates": [f"zorglub question numero {n}" for n in range(8)],
        "keywords": ["zorglub"],
        "answer": "Le zorglub est <b>imaginaire</b>.",
    },
    NEW_ENTRY
    | {
        "lang": "en",
        "question": "What is the zorglub?",
        "alternates": [f"zorglub question number {n}" for n in range(8)],
        "keywords": ["zorglub"],
        "answer": "The zorglub is <b>imaginary</b>.",
    },
]


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str


@pytest.fixture
def mesbot(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """``mesbot(*args)`` runs the command line on this test's own database."""
    monkeypatch.setenv("MESBOT_DATABASE_URL", settings.database_url)

    def run(*args: str) -> Done:
        code = main(list(args))
        captured = capsys.readouterr()
        return Done(code, captured.out, captured.err)

    return run


@dataclass(frozen=True)
class Snapshot:
    entries: dict[str, tuple[int, bool, dict[str, Any]]]
    revisions: int
    audit: list[dict[str, Any]]
    stamp: Any


def snapshot(settings: Settings) -> Snapshot:
    """Everything an import may write: entries, their revisions, the audit log."""

    async def read() -> Snapshot:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                store = FaqStore(session)
                rows = await store.rows()
                revisions = sum([len(await store.history(row.id)) for row in rows])
                records = [r.as_json() for r in await Audit(session).since(None)]
                return Snapshot(
                    {r.id: (r.version, r.hidden, r.content) for r in rows},
                    revisions,
                    records,
                    await store.stamp(),
                )
        finally:
            await engine.dispose()

    return asyncio.run(read())


def exported(mesbot: Any, tmp_path: Path) -> list[dict[str, Any]]:
    target = tmp_path / "export.json"
    assert mesbot("faq", "export", "--format", "json", "-o", str(target)).code == 0
    return json.loads(target.read_text("utf-8"))["entries"]


def row(rows: list[dict[str, Any]], entry_id: str, lang: str) -> dict[str, Any]:
    return next(r for r in rows if r["id"] == entry_id and r["lang"] == lang)


def hide_changed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """documents.hide in English with one alternate replaced and its answer reworded."""
    changed = dict(row(rows, "documents.hide", "en"))
    changed["alternates"] = [*changed["alternates"][1:], "make a file invisible to my doctor"]
    changed["answer"] = changed["answer"].replace("hide a document", "hide a file", 1)
    return changed


@pytest.mark.parametrize("suffix", ["yaml", "yml", "json", "csv"])
def test_each_format_imports_rows(
    mesbot: Any, settings: Settings, tmp_path: Path, suffix: str
) -> None:
    rows = exported(mesbot, tmp_path)
    changed = hide_changed(rows)
    source = tmp_path / f"faq.{suffix}"
    source.write_text(dump([changed, *NEW_ROWS], "yaml" if suffix == "yml" else suffix), "utf-8")

    done = mesbot("faq", "import", str(source))

    assert done.code == 0, done.err
    assert done.out.splitlines()[-1] == (
        f"imported {source}: 1 added, 1 updated, 0 unchanged, 65 not in the file"
    )
    after = exported(mesbot, tmp_path)
    assert row(after, "documents.hide", "en") == changed
    assert row(after, "documents.hide", "fr") == row(rows, "documents.hide", "fr")
    assert [row(after, "test.zorglub", lang) for lang in ("fr", "en")] == NEW_ROWS
    assert snapshot(settings).entries["test.zorglub"][:2] == (1, False)


def test_bundled_format_entries_replace_whole_entries(
    mesbot: Any, settings: Settings, tmp_path: Path
) -> None:
    entry = next(e for e in bundled_entries() if e.id == "documents.view")
    content = entry.model_dump(mode="json")
    content["en"]["keywords"] = ["open", "preview"]
    source = tmp_path / "entries.yaml"
    source.write_text(yaml.safe_dump({"entries": [content]}, allow_unicode=True), "utf-8")

    done = mesbot("faq", "import", str(source))

    assert done.code == 0, done.err
    assert "             en keywords: − 'display', − 'view'," in done.out
    assert "1 updated" in done.out
    assert snapshot(settings).entries["documents.view"][2] == content


def test_dry_run_shows_what_would_change_and_changes_nothing(
    mesbot: Any, settings: Settings, tmp_path: Path
) -> None:
    rows = exported(mesbot, tmp_path)
    accessibility = [r | {"reviewed": "2027-01-05"} for r in rows if r["id"] == "accessibility"]
    source = tmp_path / "part.yaml"
    source.write_text(dump([*accessibility, hide_changed(rows), *NEW_ROWS], "yaml"), "utf-8")
    before = snapshot(settings)

    done = mesbot("faq", "import", "--dry-run", str(source))

    assert done.code == 0, done.err
    lines = done.out.splitlines()
    assert lines[:6] == [
        "added      test.zorglub",
        "updated    accessibility",
        "             reviewed: '2026-12-01' → '2027-01-05'",
        "updated    documents.hide",
        "             en alternates: + 'make a file invisible to my doctor', − 'hide a document'",
        "             en answer: 'You can hide a document from professionals, <b>on the websit…'"
        " → 'You can hide a file from professionals, <b>on the website or…'",
    ]
    assert lines[6].startswith(
        "not in the file (kept; --prune hides them): account.franceconnect, account.login,"
    )
    assert lines[-1] == (
        f"dry run of {source}, nothing changed: 1 added, 2 updated, 0 unchanged, 64 not in the file"
    )
    assert snapshot(settings) == before

    as_json = json.loads(mesbot("faq", "import", "--dry-run", "--json", str(source)).out)
    assert as_json["dry_run"] is True
    assert as_json["added"] == ["test.zorglub"]
    hide = next(u for u in as_json["updated"] if u["id"] == "documents.hide")
    assert hide["changes"][0] == {
        "field": "alternates",
        "lang": "en",
        "added": ["make a file invisible to my doctor"],
        "removed": ["hide a document"],
    }
    assert hide["changes"][1]["new"] == hide_changed(rows)["answer"]
    assert len(as_json["not_in_file"]) == 64 and as_json["hidden"] == []
    assert snapshot(settings) == before


def test_text_changes_are_shown_where_they_differ(
    mesbot: Any, settings: Settings, tmp_path: Path
) -> None:
    rows = exported(mesbot, tmp_path)
    changed = dict(row(rows, "documents.hide", "en"))
    changed["answer"] = changed["answer"].replace("switch is on", "switch is ON")
    source = tmp_path / "late.json"
    source.write_text(dump([changed], "json"), "utf-8")

    done = mesbot("faq", "import", "--dry-run", str(source))

    change = next(line for line in done.out.splitlines() if "en answer:" in line)
    assert change.count("switch is ON") == 1 and change.count("switch is on") == 1
    assert "'…" in change  # cut before the difference, not at the start of the answer


CSV_WITH_FAULTS = """\
id,lang,theme,reviewed,answer,notes
documents.hide,fr,documents,2026-01-02,Masquez <b>un document,x
documents.view,fr,documents,31/12/2026,Ouvrez le document.,
documents.view,de,documents,2026-01-02,Öffnen Sie das Dokument.,
documents.hide,fr,documents,2026-01-02,Masquez un document.,
,en,documents,2026-01-02,Open it.,
documents.add,en,gossip,2026-01-02,Add it.,
"""


def test_every_fault_is_named_by_row_and_field(
    mesbot: Any, settings: Settings, tmp_path: Path
) -> None:
    exported(mesbot, tmp_path)  # the database as the bot leaves it: migrated and seeded
    source = tmp_path / "faq.csv"
    source.write_text(CSV_WITH_FAULTS, "utf-8")
    before = snapshot(settings)

    done = mesbot("faq", "import", str(source))

    assert done.code == 2
    assert done.out == ""
    assert done.err.splitlines() == [
        "mesbot: faq.csv: row 1: unknown column 'notes'; the columns are id, lang, theme, "
        "reviewed, sources, related, question, alternates, keywords, answer",
        "mesbot: faq.csv: row 2 (id documents.hide, lang fr): field 'answer': unclosed tags: b",
        "mesbot: faq.csv: row 3 (id documents.view, lang fr): field 'reviewed': '31/12/2026' "
        "is not a date written YYYY-MM-DD",
        "mesbot: faq.csv: row 4 (id documents.view, lang de): field 'lang': 'de' is not fr or en",
        "mesbot: faq.csv: row 5 (id documents.hide, lang fr): the same id and lang as row 2",
        "mesbot: faq.csv: row 6 (lang en): field 'id': missing",
        "mesbot: faq.csv: row 7 (id documents.add, lang en): field 'theme': Input should be "
        "'general', 'activation', 'account', 'profile', 'documents', 'sharing', 'features', "
        "'wishes', 'caregiver', 'security', 'help' or 'redirect' (got 'gossip')",
        f"mesbot: {source}: not imported, nothing changed (7 problems)",
    ]
    assert snapshot(settings) == before


def test_entries_in_the_bundled_format_are_named_by_position_and_id(
    mesbot: Any, settings: Settings, tmp_path: Path
) -> None:
    good = next(e for e in bundled_entries() if e.id == "documents.view").model_dump(mode="json")
    broken = {k: v for k, v in good.items() if k != "en"} | {"id": "test.broken"}
    broken["fr"] = good["fr"] | {"alternates": "not a list"}
    source = tmp_path / "faq.yaml"
    source.write_text(yaml.safe_dump({"entries": [good, broken, good]}), "utf-8")

    done = mesbot("faq", "import", str(source))

    assert done.code == 2
    assert done.err.splitlines() == [
        "mesbot: faq.yaml: entry 2 (id test.broken): field 'fr.alternates': Input should be a "
        "valid list (got 'not a list')",
        "mesbot: faq.yaml: entry 2 (id test.broken): field 'en': missing",
        "mesbot: faq.yaml: entry 3 (id documents.view): the same id as entry 1 (id documents.view)",
        f"mesbot: {source}: not imported, nothing changed (3 problems)",
    ]


def test_problems_the_import_causes_elsewhere_are_named(
    mesbot: Any, settings: Settings, tmp_path: Path
) -> None:
    rows = exported(mesbot, tmp_path)
    clash = row(rows, "documents.view", "en") | {"question": "Hide a document"}
    source = tmp_path / "clash.yaml"
    source.write_text(dump([clash, *NEW_ROWS], "yaml"), "utf-8")

    clashing = mesbot("faq", "import", str(source))
    pruning = mesbot("faq", "import", "--prune", str(tmp_path / "clash.yaml"))

    assert clashing.code == 2
    assert (
        "mesbot: clash.yaml: row 1 (id documents.view, lang en): field 'question': phrasing "
        "'Hide a document' is also used by documents.hide" in clashing.err.splitlines()
    )
    assert pruning.code == 2
    assert (
        "mesbot: clash.yaml: row 2 (id test.zorglub, lang fr): field 'related': related entry "
        "'documents.hide' does not exist (--prune hides it)" in pruning.err.splitlines()
    )


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("INSERT INTO audit_log", {}, Exception("disk I/O error")),
        RuntimeError("the process died"),
    ],
)
def test_a_failure_after_the_writes_leaves_the_database_untouched(
    mesbot: Any,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
) -> None:
    rows = exported(mesbot, tmp_path)
    changed = hide_changed(rows)
    kept = [
        r for r in rows if r["id"] != "accessibility" and r != row(rows, "documents.hide", "en")
    ]
    source = tmp_path / "part.yaml"
    source.write_text(dump([*kept, changed, *NEW_ROWS], "yaml"), "utf-8")
    before = snapshot(settings)

    async def broken_record(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(Audit, "record", broken_record)
    if isinstance(failure, OperationalError):
        done = mesbot("faq", "import", "--prune", str(source))
        assert done.code == 2
        assert done.err == (
            "mesbot: part.yaml: not imported, nothing changed: (builtins.Exception) disk I/O "
            "error\n"
        )
    else:
        with pytest.raises(RuntimeError):
            mesbot("faq", "import", "--prune", str(source))

    assert snapshot(settings) == before


def test_prune_hides_what_the_file_leaves_out_and_a_later_import_shows_it_again(
    mesbot: Any, settings: Settings, tmp_path: Path
) -> None:
    rows = exported(mesbot, tmp_path)
    full = tmp_path / "full.yaml"
    full.write_text(dump(rows, "yaml"), "utf-8")
    without = tmp_path / "without.yaml"
    without.write_text(dump([r for r in rows if r["id"] != "accessibility"], "yaml"), "utf-8")
    version = snapshot(settings).entries["accessibility"][0]

    kept = mesbot("faq", "import", str(without))
    pruned = mesbot("faq", "import", "--prune", str(without))
    hidden = snapshot(settings).entries["accessibility"]
    answered = {r["id"] for r in exported(mesbot, tmp_path)}
    shown = mesbot("faq", "import", str(full))

    assert kept.out.splitlines() == [
        "not in the file (kept; --prune hides them): accessibility",
        f"imported {without}: 0 added, 0 updated, 65 unchanged, 1 not in the file",
    ]
    assert pruned.out.splitlines() == [
        "not in the file (hidden by --prune): accessibility",
        f"imported {without}: 0 added, 0 updated, 65 unchanged, 1 not in the file (hidden)",
    ]
    assert hidden[:2] == (version + 1, True)
    assert "accessibility" not in answered
    assert shown.out.splitlines() == [
        "updated    accessibility (hidden; shown again)",
        f"imported {full}: 0 added, 1 updated, 65 unchanged, 0 not in the file",
    ]
    assert snapshot(settings).entries["accessibility"][:2] == (version + 2, False)
    assert exported(mesbot, tmp_path) == rows


@pytest.mark.parametrize("text", ["id,lang\n", "entries: []\n"])
def test_a_file_without_entries_is_refused_even_with_prune(
    mesbot: Any, settings: Settings, tmp_path: Path, text: str
) -> None:
    exported(mesbot, tmp_path)
    source = tmp_path / ("empty.csv" if text.startswith("id") else "empty.yaml")
    source.write_text(text, "utf-8")
    before = snapshot(settings)

    done = mesbot("faq", "import", "--prune", str(source))

    assert done.code == 2
    assert done.err.splitlines() == [
        f"mesbot: {source.name}: holds no entries",
        f"mesbot: {source}: not imported, nothing changed (1 problem)",
    ]
    assert snapshot(settings) == before


def test_csv_round_trips_through_a_spreadsheet(mesbot: Any, tmp_path: Path) -> None:
    first = tmp_path / "faq.csv"
    assert mesbot("faq", "export", "--format", "csv", "-o", str(first)).code == 0
    raw = first.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,lang,theme,reviewed,sources,related,question,")
    assert mesbot("faq", "check", str(first)).out.endswith(": 66 entries, 0 problems\n")
    unchanged = mesbot("faq", "import", str(first))
    assert unchanged.out.splitlines()[-1].endswith(
        "0 added, 0 updated, 66 unchanged, 0 not in the file"
    )

    # A spreadsheet set to French: ';' between cells, CRLF line ends, a byte order mark.
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header = table[0]
    hide = next(r for r in table if r[:2] == ["documents.hide", "en"])
    hide[header.index("alternates")] += "\nmake a file invisible to my doctor"
    hide[header.index("answer")] = hide[header.index("answer")].replace("on;", "turned on;")
    hide[header.index("keywords")] = "hide | conceal"
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(table)

    done = mesbot("faq", "import", str(edited))
    again = tmp_path / "again.csv"
    assert mesbot("faq", "export", "--format", "csv", "-o", str(again)).code == 0

    assert done.code == 0, done.err
    assert done.out.splitlines()[-1].endswith("0 added, 1 updated, 65 unchanged, 0 not in the file")
    hide[header.index("keywords")] = "hide\nconceal"
    reread = list(csv.reader(io.StringIO(again.read_text("utf-8-sig"), newline="")))
    assert reread == table
    assert (
        mesbot("faq", "import", str(again))
        .out.splitlines()[-1]
        .endswith("0 updated, 66 unchanged, 0 not in the file")
    )


def test_versions_are_bumped_the_import_audited_and_a_second_import_changes_nothing(
    mesbot: Any, settings: Settings, tmp_path: Path
) -> None:
    rows = exported(mesbot, tmp_path)
    source = tmp_path / "part.yaml"
    source.write_text(dump([hide_changed(rows), *NEW_ROWS], "yaml"), "utf-8")
    before = snapshot(settings)

    first = mesbot("faq", "import", str(source))
    once = snapshot(settings)
    second = mesbot("faq", "import", str(source))
    twice = snapshot(settings)

    assert first.code == 0 and second.code == 0
    old_version = before.entries["documents.hide"][0]
    assert once.entries["documents.hide"][0] == old_version + 1
    assert once.entries["test.zorglub"][0] == 1
    assert once.revisions == before.revisions + 2
    assert once.stamp != before.stamp  # what running bots poll to reload
    record = once.audit[-1]
    assert (record["actor"], record["actor_id"], record["action"], record["subject"]) == (
        "cli:import",
        None,
        "faq.import",
        "part.yaml",
    )
    assert record["before"] == {"versions": {"documents.hide": old_version}}
    assert record["after"] == {
        "added": ["test.zorglub"],
        "updated": ["documents.hide"],
        "shown": [],
        "hidden": [],
        "unchanged": 0,
        "versions": {"documents.hide": old_version + 1, "test.zorglub": 1},
    }

    assert not [line for line in second.out.splitlines() if line.startswith(("added", "updated"))]
    assert second.out.splitlines()[-1] == (
        f"imported {source}: 0 added, 0 updated, 2 unchanged, 65 not in the file"
    )
    assert (twice.entries, twice.revisions, twice.stamp) == (
        once.entries,
        once.revisions,
        once.stamp,
    )
    assert len(twice.audit) == len(once.audit) + 1
    assert twice.audit[-1]["after"]["versions"] == {}
