"""A photo or video a voter sent, shown on the ticket page to whoever may see the ticket."""
from __future__ import annotations

import os
from typing import Any

from flask import abort, send_file

from ..extensions import current
from ..services.accounts import audit
from ..services.tickets import media
from .auth import client_address, db, ticket_or_404, user


def ticket_media(number: str, media_id: str) -> Any:
    me, s, ext = user(), db(), current()
    found = ticket_or_404(number)
    relative = media.saved(s, found).get(media_id)
    root = os.path.realpath(ext.settings["INSTANCE_PATH"])
    path = os.path.realpath(os.path.join(root, relative)) if relative else ""
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        abort(404, description="附件还没有保存下来，或已被删除。")
    audit.record(s, actor=me.username, action="ticket.media", target=found.number, detail=media_id[:64],
                 address=client_address(), now=ext.now())
    s.commit()
    return send_file(path, max_age=0)
