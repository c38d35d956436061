from __future__ import annotations

import csv
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from scheduler.regions import Region, Regions, RegionsError, department_of_postal_code

INSEE_DEPARTMENTS = Path(__file__).parent / "data" / "insee_departements.csv"


@pytest.fixture(scope="module")
def regions() -> Regions:
    return Regions.bundled()


@pytest.fixture(scope="module")
def insee() -> dict[str, str]:
    """INSEE's department code → region code."""
    with INSEE_DEPARTMENTS.open(encoding="utf-8", newline="") as file:
        return {row["DEP"]: row["REG"] for row in csv.DictReader(file)}


def _get(regions: Regions, code: str) -> Region:
    region = regions.get(code)
    assert region is not None, code
    return region


def _raw_regions() -> list[dict[str, Any]]:
    """The bundled file as YAML sees it, without the loader's checks in between."""
    text = resources.files("scheduler").joinpath("data", "regions.yaml").read_text("utf-8")
    return yaml.safe_load(text)["regions"]


def test_insee_list_is_the_whole_list(insee: dict[str, str]) -> None:
    assert len(insee) == 101
    assert {"01", "2A", "2B", "95", "971", "976"} <= set(insee)
    assert "20" not in insee
    assert "975" not in insee


def test_departments_and_their_regions_are_insee_s(regions: Regions, insee: dict[str, str]) -> None:
    ours = {dep: region.code for region in regions.all for dep in region.departments}
    assert ours == insee


def test_region_codes_are_insee_s(regions: Regions, insee: dict[str, str]) -> None:
    assert {region.code for region in regions.all} == set(insee.values())


def test_eighteen_regions_thirteen_of_them_metropolitan(regions: Regions) -> None:
    assert len(regions.all) == 18
    overseas = [r for r in regions.all if all(dep.startswith("97") for dep in r.departments)]
    assert sorted(r.code for r in overseas) == ["01", "02", "03", "04", "06"]
    assert all(len(r.departments) == 1 for r in overseas)


def test_every_department_in_exactly_one_region_of_the_file() -> None:
    counts = Counter(dep for region in _raw_regions() for dep in region["departments"])
    assert len(counts) == 101
    assert set(counts.values()) == {1}


def test_codes_are_strings_in_the_file() -> None:
    for region in _raw_regions():
        assert isinstance(region["code"], str)
        assert all(isinstance(dep, str) for dep in region["departments"])


def test_names_in_both_languages(regions: Regions) -> None:
    for region in regions.all:
        assert region.name("fr").strip()
        assert region.name("en").strip()
        assert region.name("fr") == region.name_fr
        assert region.name("en") == region.name_en
    assert _get(regions, "53").name("fr") == "Bretagne"
    assert _get(regions, "53").name("en") == "Brittany"
    assert _get(regions, "03").name("en") == "French Guiana"
    assert _get(regions, "04").name("fr") == "La Réunion"
    assert _get(regions, "11").name("en") == "Île-de-France"


def test_name_in_an_unknown_language_is_an_error(regions: Regions) -> None:
    with pytest.raises(ValueError, match="de"):
        regions.all[0].name("de")


def test_all_is_by_french_name_with_ile_de_france_among_the_i(regions: Regions) -> None:
    assert [region.name_fr for region in regions.all] == [
        "Auvergne-Rhône-Alpes",
        "Bourgogne-Franche-Comté",
        "Bretagne",
        "Centre-Val de Loire",
        "Corse",
        "Grand Est",
        "Guadeloupe",
        "Guyane",
        "Hauts-de-France",
        "Île-de-France",
        "La Réunion",
        "Martinique",
        "Mayotte",
        "Normandie",
        "Nouvelle-Aquitaine",
        "Occitanie",
        "Pays de la Loire",
        "Provence-Alpes-Côte d'Azur",
    ]


def test_all_is_sorted_whatever_the_order_given(regions: Regions) -> None:
    assert Regions(reversed(regions.all)).all == regions.all


def test_get_and_of_department(regions: Regions) -> None:
    assert _get(regions, "94").name_fr == "Corse"
    assert regions.get("99") is None
    assert regions.get("2A") is None
    assert regions.of_department("2A") is regions.get("94")
    assert regions.of_department("971") is regions.get("01")
    assert regions.of_department("29") is regions.get("53")
    assert regions.of_department("20") is None
    assert regions.of_department("975") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Postal codes.
        ("75011", "11"),
        ("75 011", "11"),
        ("  75 011 ", "11"),
        ("01000", "84"),
        ("13001", "93"),
        ("21000", "27"),
        ("29200", "53"),
        ("31000", "76"),
        ("33000", "75"),
        ("44000", "52"),
        ("45000", "24"),
        ("59000", "32"),
        ("67000", "44"),
        ("69003", "84"),
        ("14000", "28"),
        ("95000", "11"),
        ("20000", "94"),
        ("20190", "94"),
        ("20200", "94"),
        ("20620", "94"),
        ("97100", "01"),
        ("97200", "02"),
        ("97300", "03"),
        ("97400", "04"),
        ("97600", "06"),
        # Department numbers.
        ("1", "84"),
        ("01", "84"),
        ("2a", "94"),
        ("2B", "94"),
        (" 29 ", "53"),
        ("69", "84"),
        ("75", "11"),
        ("11", "76"),
        ("971", "01"),
        ("976", "06"),
        # Region names, either language, any case, with or without accents.
        ("bretagne", "53"),
        ("BRETAGNE", "53"),
        ("Brittany", "53"),
        ("ile de france", "11"),
        ("Île-de-France", "11"),
        ("ILE-DE-FRANCE", "11"),
        ("normandy", "28"),
        ("Normandie", "28"),
        ("corse", "94"),
        ("Corsica", "94"),
        ("guyane", "03"),
        ("French Guiana", "03"),
        ("la reunion", "04"),
        ("Réunion", "04"),
        ("auvergne rhone alpes", "84"),
        ("provence-alpes-cote d'azur", "93"),
        ("Provence Alpes Côte d’Azur", "93"),
        ("  pays de la loire ", "52"),
        ("Grand-Est", "44"),
        ("occitania", "76"),
    ],
)
def test_find(regions: Regions, text: str, expected: str) -> None:
    found = regions.find(text)
    assert found is not None
    assert found.code == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "France",
        "Paris",
        "1234567",
        "7501",
        "750111",
        "00000",
        "96000",
        "20700",
        "97500",  # Saint-Pierre-et-Miquelon
        "97133",  # Saint-Barthélemy
        "97150",  # Saint-Martin
        "97700",
        "97800",
        "98000",  # Monaco
        "98800",  # New Caledonia
        "0",
        "00",
        "20",
        "96",
        "075",
        "975",
        "977",
        "2C",
        "75011 Paris",
        "٧٥٠١١",
        "bretagne" * 20,
    ],
)
def test_find_nothing(regions: Regions, text: str) -> None:
    assert regions.find(text) is None


@pytest.mark.parametrize(
    ("postal_code", "department"),
    [
        ("75011", "75"),
        ("01000", "01"),
        ("09000", "09"),
        ("20000", "2A"),
        ("20090", "2A"),
        ("20190", "2A"),
        ("20200", "2B"),
        ("20290", "2B"),
        ("20600", "2B"),
        ("20620", "2B"),
        ("20700", None),
        ("97100", "971"),
        ("97450", "974"),
        ("97500", "975"),
        ("97133", None),
        ("97150", None),
        ("7501", None),
        ("abcde", None),
    ],
)
def test_department_of_postal_code(postal_code: str, department: str | None) -> None:
    assert department_of_postal_code(postal_code) == department


def _region(code: str, name: str, *departments: str) -> Region:
    return Region(code=code, name_fr=name, name_en=name, departments=departments)


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        ([_region("53", "Bretagne", "22"), _region("53", "Armorique", "29")], "53 appears twice"),
        ([_region("53", "Bretagne", "22"), _region("28", "Normandie", "22")], "22 is in region"),
        ([_region("53", "Bretagne", "22", "22")], "22 appears twice"),
        ([_region("53", "Bretagne")], "no departments"),
        ([_region("53", "Bretagne", "1")], "no department code"),
        ([_region("5", "Bretagne", "22")], "not two digits"),
        ([_region("53", "Bretagne", "22"), _region("28", "bretagne", "14")], "both"),
        ([_region("53", " ", "22")], "empty name"),
    ],
)
def test_inconsistent_regions_are_refused(regions: list[Region], message: str) -> None:
    with pytest.raises(RegionsError, match=message):
        Regions(regions)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("regions: [", "not valid YAML"),
        ("- code: '53'", "`regions` list"),
        ("regions:\n  - 53", "mapping"),
        (
            "regions:\n  - {code: 53, name_fr: Bretagne, name_en: Brittany, departments: ['22']}",
            "quoted strings",
        ),
        (
            "regions:\n  - {code: '53', name_fr: Bretagne, name_en: Brittany, departments: [22]}",
            "quoted strings",
        ),
        ("regions:\n  - {code: '53', name_fr: Bretagne, departments: ['22']}", "exactly"),
    ],
)
def test_malformed_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(RegionsError, match=message):
        Regions.from_yaml(text)


def test_a_department_in_two_regions_of_a_file_is_refused() -> None:
    text = """
regions:
  - {code: "53", name_fr: Bretagne, name_en: Brittany, departments: ["22", "29"]}
  - {code: "28", name_fr: Normandie, name_en: Normandy, departments: ["14", "29"]}
"""
    with pytest.raises(RegionsError, match="29 is in region 53 and in 28"):
        Regions.from_yaml(text)
