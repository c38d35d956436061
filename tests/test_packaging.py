"""`pip install .` without make: the wheel alone gives a working `mesbot` from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent
GENERATED = (
    ".venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.mo",
    ".*_cache",
)


def run(*command: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_wheel_holds_its_data_and_runs_from_any_folder(tmp_path: Path) -> None:
    # Built from a copy, as from a fresh clone: nothing generated (compiled catalogs, an earlier
    # build's leftovers) is taken along, and the checkout is left as it was.
    source = tmp_path / "source"
    generated = shutil.ignore_patterns(*GENERATED)

    def ignore(folder: str, names: list[str]) -> set[str]:
        # The working database folder is the checkout's own; data folders in packages ship.
        local = {"data"} if Path(folder) == ROOT else set()
        return generated(folder, names) | (local & set(names))

    shutil.copytree(ROOT, source, ignore=ignore)
    dist = tmp_path / "dist"
    pip = (sys.executable, "-m", "pip")
    built = run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", dist, source)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("mesbot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "faq/topics.yaml",
        "faq/lexicon/fr.yaml",
        "faq/lexicon/safety.yaml",
        "faq/content/general_activation.yaml",
        "faq/models/matcher.json",
        "faq/models/safety.json",
        "handlers/locales/fr/LC_MESSAGES/messages.po",
        "handlers/locales/en/LC_MESSAGES/messages.po",
        "bot/migrations/env.py",
        "bot/migrations/versions/0001_initial_schema.py",
    ):
        assert required in names, required

    # A fresh environment with the wheel alone; its dependencies are taken from this one's
    # folder (a path in a .pth file: this checkout's own editable install is not activated).
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(run(python, "-c", purelib).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MESBOT_", "PYTHON"))}
    where = run(python, "-c", "import bot; print(bot.__file__)", cwd=elsewhere, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    # Without compiled catalogs (a clone never ran `make translations`), the bot compiles the
    # .po files at start.
    assert not list((site / "handlers" / "locales").glob("*/LC_MESSAGES/*.mo"))
    mesbot = venv / "bin" / "mesbot"
    checked = run(mesbot, "faq", "check", cwd=elsewhere, env=env)
    assert checked.returncode == 0, checked.stderr
    chat = run(mesbot, "chat", input="comment masquer un document\n", cwd=elsewhere, env=env)
    assert chat.returncode == 0, chat.stderr
    assert "masquer un document aux professionnels" in chat.stdout, chat.stdout
    assert "Source" in chat.stdout and "vérifié le" in chat.stdout, chat.stdout
