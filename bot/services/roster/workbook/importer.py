"""One import: read, check everything, then write everything (or nothing)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ..phones import PhoneBox
from .reading import read_voter_csv, read_workbook
from .upsert import Summary, apply, load_known
from .validate import check


def import_roster(session: Session, path: str | Path, box: PhoneBox, now: datetime) -> Summary:
    """Flushes on success. On any problem returns them with nothing applied
    that the caller should keep: the caller rolls back unless summary.problems is empty."""
    raw = read_voter_csv(path) if str(path).lower().endswith(".csv") else read_workbook(path)
    checked = check(raw, load_known(session))
    if checked.problems:
        return Summary(problems=checked.problems, warnings=checked.warnings)
    return apply(session, checked, box, now)
