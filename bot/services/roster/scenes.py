"""QR scenes of the roster: the issued code of each site and fixed-voter group,
and (private) whether each deputy has an unused binding card."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, Site, VoterGroup
from .codes import live, scene_for


def all_scenes(session: Session, include_private: bool = False) -> list[dict]:
    """`scene` is None where no code is issued yet (`liaison qr posters` issues one).
    A deputy card's scene is never shown again after printing: only whether one is unused."""
    out = []
    for site in session.scalars(select(Site).order_by(Site.id)):
        code = live(session, "site", site.id)
        out.append({"kind": "site", "id": site.id, "name": site.name,
                    "scene": scene_for("site", code.scene_key) if code else None})
    for group in session.scalars(select(VoterGroup).order_by(VoterGroup.id)):
        code = live(session, "group", group.id) if group.active else None
        out.append({"kind": "group", "id": group.id, "name": group.name,
                    "scene": scene_for("group", code.scene_key) if code else None})
    if include_private:
        for deputy in session.scalars(select(Deputy).order_by(Deputy.id)):
            card = live(session, "deputy", deputy.id)
            out.append({"kind": "deputy", "id": deputy.id, "name": deputy.name, "scene": None,
                        "card": "unused" if card else "none", "bound": bool(deputy.openid)})
    return out
