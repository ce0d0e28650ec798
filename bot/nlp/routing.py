"""The routing table: category -> suggested office (站所) and level.

The table is data in config/routing.toml: `config` is a top-level package
shipped beside `bot`, so the table is found through the installed package
(importlib.resources), in a checkout and in an installed wheel alike;
LIAISON_ROUTING overrides it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from .categories import OTHER

DEFAULT_PATH = Path(str(files("config") / "routing.toml"))
FALLBACK = ("乡人大办公室", "township")  # if the table is missing or lacks a category


@dataclass(frozen=True)
class Route:
    office: str
    level: str


def routing_path() -> Path:
    return Path(os.environ.get("LIAISON_ROUTING") or DEFAULT_PATH)


@lru_cache(maxsize=4)
def load_table(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def route(category: str, text: str = "") -> Route:
    table = load_table(routing_path())
    base = table.get("categories", {}).get(category) or table.get("categories", {}).get(OTHER) or {}
    office = base.get("office", FALLBACK[0])
    level = base.get("level", FALLBACK[1])
    for rule in table.get("rules", []):
        if rule.get("category") == category and any(k in text for k in rule.get("keywords", [])):
            office = rule.get("office", office)
            level = rule.get("level", level)
            break
    return Route(office=office, level=level if level in ("township", "county") else "township")
