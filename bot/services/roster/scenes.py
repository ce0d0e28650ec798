"""QR scenes of the roster: one per fixed-voter group, site and deputy."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, Site, VoterGroup
from .binding import scene_for


def all_scenes(session: Session, include_private: bool = False) -> list[dict]:
    out = []
    for site in session.scalars(select(Site).order_by(Site.id)):
        out.append({"kind": "site", "id": site.id, "name": site.name, "scene": scene_for("site", site.code)})
    for group in session.scalars(select(VoterGroup).order_by(VoterGroup.id)):
        out.append({"kind": "group", "id": group.id, "name": group.name,
                    "scene": scene_for("group", group.code)})
    if include_private:  # deputy scenes bind a WeChat account to a deputy: keep them private
        for deputy in session.scalars(select(Deputy).order_by(Deputy.id)):
            out.append({"kind": "deputy", "id": deputy.id, "name": deputy.name,
                        "scene": scene_for("deputy", deputy.bind_token)})
    return out
