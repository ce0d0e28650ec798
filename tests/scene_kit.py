"""Issued QR codes for tests: what `liaison qr posters` prints, as scenes."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.models import Deputy, Site, VoterGroup

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def scene(db, kind: str, code: str) -> str:
    """The live scene of the site or group with this roster code, issued if it has none."""
    from bot.services.roster import codes

    model = Site if kind == "site" else VoterGroup
    target = db.scalar(select(model).where(model.code == code))
    issued = codes.ensure(db, kind, target.id, NOW, "test")
    db.commit()
    return codes.scene_for(kind, issued.scene_key)


def card(db, deputy_code: str) -> str:
    """A new private card for the deputy (earlier ones stop working), as its scene."""
    from bot.services.roster import codes

    deputy = db.scalar(select(Deputy).where(Deputy.code == deputy_code))
    token = codes.issue_card(db, deputy, NOW, "test")
    db.commit()
    return codes.scene_for("deputy", token)
