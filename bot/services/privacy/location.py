"""What of a WeChat message is stored. WeChat sends a LOCATION event every few
seconds to minutes once a user allowed it, without their doing anything: its
coordinates track a person, so they are never stored. A location message the
voter sent on purpose (a place for their ticket) keeps its coordinates."""
from __future__ import annotations

from typing import Any

from ...messages import Inbound

# The words are stored in their own column, not twice.
_IN_COLUMNS = ("Content", "Recognition")
_PERIODIC_POSITION = ("Latitude", "Longitude", "Precision")


def stored_fields(msg: Inbound) -> dict[str, Any]:
    """The message's extra fields as they may be kept in `inbound_messages.extra`."""
    drop = _IN_COLUMNS + (_PERIODIC_POSITION if msg.msg_type == "event" and msg.event == "location" else ())
    return {k: v for k, v in msg.fields.items() if k not in drop}
