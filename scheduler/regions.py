"""France's 18 regions and their departments, and finding a user's region from what they type.

Webinars are regional, so the bot asks users where they live. They answer with a postal code, a
department number or a region name, in French or in English; `Regions.find` turns any of those
into a `Region`, or None. The data is INSEE's Code officiel géographique, bundled as
`data/regions.yaml` and read only when `Regions.bundled()` is called.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

_REGION_CODE = re.compile(r"\d{2}")
_DEPARTMENT_CODE = re.compile(r"\d{2}|2[AB]|97\d")
_CORSICA = re.compile(r"2[AB]", re.IGNORECASE)
_FIELDS = frozenset({"code", "name_fr", "name_en", "departments"})

# Saint-Barthélemy and Saint-Martin left Guadeloupe in 2007 but kept its postal prefix: their
# INSEE codes are 977 and 978, their postal codes these two.
_POSTAL_CODES_OUTSIDE_REGIONS = frozenset({"97133", "97150"})

# A region name or a code is short: a longer message is not an answer to "where do you live?",
# and is not worth normalising.
_MAX_INPUT = 64


class RegionsError(Exception):
    """Region data that is malformed or does not split the departments into regions."""


@dataclass(frozen=True)
class Region:
    code: str
    name_fr: str
    name_en: str
    departments: tuple[str, ...]

    def name(self, lang: str) -> str:
        if lang == "fr":
            return self.name_fr
        if lang == "en":
            return self.name_en
        raise ValueError(f"no region names in {lang!r}")


class Regions:
    """The regions, looked up by code, by department, or from what a user types."""

    def __init__(self, regions: Iterable[Region]) -> None:
        # Sorted on folded names so that Île-de-France sits with the I's, whatever the locale.
        self._all = tuple(sorted(regions, key=lambda region: _fold(region.name_fr)))
        self._by_code: dict[str, Region] = {}
        self._by_department: dict[str, Region] = {}
        self._by_name: dict[str, Region] = {}
        for region in self._all:
            self._add(region)

    def _add(self, region: Region) -> None:
        if not _REGION_CODE.fullmatch(region.code):
            raise RegionsError(f"region code {region.code!r} is not two digits")
        if region.code in self._by_code:
            raise RegionsError(f"region code {region.code} appears twice")
        self._by_code[region.code] = region
        if not region.departments:
            raise RegionsError(f"region {region.code} has no departments")
        for department in region.departments:
            # find() relies on the shape of department codes to read what users type.
            if not _DEPARTMENT_CODE.fullmatch(department):
                raise RegionsError(f"region {region.code}: {department!r} is no department code")
            other = self._by_department.get(department)
            if other is region:
                raise RegionsError(f"department {department} appears twice in {region.code}")
            if other is not None:
                raise RegionsError(
                    f"department {department} is in region {other.code} and in {region.code}"
                )
            self._by_department[department] = region
        for name in (region.name_fr, region.name_en):
            key = _fold(name)
            if not key:
                raise RegionsError(f"region {region.code} has an empty name")
            other = self._by_name.get(key)
            if other is not None and other is not region:
                raise RegionsError(f"regions {other.code} and {region.code} are both {name!r}")
            self._by_name[key] = region

    @classmethod
    def bundled(cls) -> Regions:
        """The regions shipped with the package; read the file once and keep the result."""
        text = resources.files("scheduler").joinpath("data", "regions.yaml").read_text("utf-8")
        return cls.from_yaml(text)

    @classmethod
    def from_yaml(cls, text: str) -> Regions:
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RegionsError(f"not valid YAML: {exc}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("regions"), list):
            raise RegionsError("expected a mapping with a `regions` list")
        return cls(_parse_region(item) for item in raw["regions"])

    @property
    def all(self) -> tuple[Region, ...]:
        """Every region, by French name."""
        return self._all

    def get(self, code: str) -> Region | None:
        """The region with this INSEE region code ("53"), if any."""
        return self._by_code.get(code)

    def of_department(self, department: str) -> Region | None:
        """The region of an INSEE department code, written as INSEE does ("01", "2A", "971")."""
        return self._by_department.get(department)

    def find(self, text: str) -> Region | None:
        """The region a user means by a postal code, a department number or a region name.

        Region codes are not accepted: "11" is Aude to a user, not Île-de-France.
        """
        if len(text) > _MAX_INPUT:
            return None
        # Users write postal codes as "75 011" too.
        compact = "".join(text.split())
        if compact.isascii() and compact.isdigit():
            if len(compact) == 5:
                department = department_of_postal_code(compact)
                return None if department is None else self.of_department(department)
            if len(compact) <= 3:
                return self.of_department(compact.zfill(2))
            return None
        if _CORSICA.fullmatch(compact):
            return self.of_department(compact.upper())
        return self._by_name.get(_fold(text))


def department_of_postal_code(postal_code: str) -> str | None:
    """The department a five-digit postal code belongs to, or None outside the departments.

    Postal codes are La Poste's, not INSEE's: nearly every commune's starts with its department,
    which is all this relies on. The answer is only checked against the departments by `Regions`.
    """
    if len(postal_code) != 5 or not (postal_code.isascii() and postal_code.isdigit()):
        return None
    if postal_code in _POSTAL_CODES_OUTSIDE_REGIONS:
        return None
    if postal_code.startswith("97"):
        # Overseas departments are numbered on three digits, and so are their postal codes.
        return postal_code[:3]
    if postal_code.startswith("20"):
        # Corsica kept the single prefix 20 when it was split in two in 1976.
        if postal_code[2] in "01":
            return "2A"
        if postal_code[2] in "23456":
            return "2B"
        return None
    return postal_code[:2]


def _parse_region(item: Any) -> Region:
    if not isinstance(item, dict):
        raise RegionsError(f"a region must be a mapping, not {item!r}")
    if set(item) != _FIELDS:
        raise RegionsError(f"a region has exactly the fields {sorted(_FIELDS)}: {item!r}")
    code, departments = item["code"], item["departments"]
    # YAML reads an unquoted 01 as the number 1, which would silently lose the leading zero.
    texts = [code, item["name_fr"], item["name_en"]]
    if not all(isinstance(text, str) for text in texts):
        raise RegionsError(f"region {code!r}: code and names must be quoted strings")
    if not isinstance(departments, list) or not all(isinstance(d, str) for d in departments):
        raise RegionsError(f"region {code}: departments must be a list of quoted strings")
    return Region(
        code=code,
        name_fr=item["name_fr"].strip(),
        name_en=item["name_en"].strip(),
        departments=tuple(departments),
    )


def _fold(text: str) -> str:
    """Lowercase, without accents, punctuation or extra spaces: "Côte d’Azur" is "cote d azur"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())
