"""The learned weights shipped in faq/models/ are what `make models` builds from the repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from faq.matcher import MatchSettings

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "faq" / "models"


def shipped(name: str) -> dict:
    return json.loads((MODELS / name).read_text("utf-8"))


def test_the_matcher_thresholds_are_the_ones_chosen_with_its_weights() -> None:
    chosen = shipped("matcher.json")["thresholds"]
    defaults = MatchSettings()
    assert defaults.confident_score == chosen["confident_score"]
    assert defaults.suggest_score == chosen["suggest_score"]
    assert defaults.margin == chosen["margin"]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "faq" / "training" / "build_models.py"),
            "--models",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return folder


def test_matcher_weights_are_rebuilt_from_the_data(rebuilt: Path) -> None:
    fresh = json.loads((rebuilt / "matcher.json").read_text("utf-8"))
    kept = shipped("matcher.json")
    assert fresh["features"] == kept["features"]
    assert fresh["coefficients"] == pytest.approx(kept["coefficients"], abs=1e-3)
    assert fresh["intercept"] == pytest.approx(kept["intercept"], abs=1e-3)
    assert fresh["thresholds"] == kept["thresholds"]


def test_safety_model_is_rebuilt_from_the_data(rebuilt: Path) -> None:
    fresh = json.loads((rebuilt / "safety.json").read_text("utf-8"))
    kept = shipped("safety.json")
    for name in ("emergency_threshold", "sure_threshold", "medical_threshold"):
        assert fresh[name] == pytest.approx(kept[name], abs=1e-3), name
    assert fresh["training"]["rows"] == kept["training"]["rows"]
    assert set(fresh["weights"]) == set(kept["weights"])
