"""Floods: a per-openid limit on the messages that reach the router.

A message over the limit is still stored (webhook._handle adds its row first) and
marked throttled, so staff can read it; it opens no ticket and pushes nothing.
The sender is told once per window; later ones get no reply (WeChat shows nothing).

A report of danger is handled whatever the count while staff have not been
alerted about this sender; later ones are throttled but still get the safety
advice. Events are not counted: subscribe, scan and menu clicks are taps, not
typing, and an unsubscribe must always be handled. Deputies and station staff get their
own, higher limit (a run of 受理/办结 commands is work, not a flood).
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from ..messages import Inbound
from ..models import InboundMessage
from ..services import texts
from ..services.outcome import Outcome
from ..services.roster.voters import deputy_by_openid
from ..services.tickets import urgent

log = logging.getLogger(__name__)

PREFIX = "liaison:flood:"
# A window opens with the first message and lasts `window` seconds of the app's
# clock (not Redis's), so tests with a settable clock see the same windows; a
# clock set back by a whole window starts a new one, concurrent requests a few
# microseconds apart do not. Returns the message's number in its window. The
# key's own expiry only collects garbage.
_COUNT = """
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if start == nil or now - start >= window or start - now >= window then
  redis.call('HSET', KEYS[1], 'start', ARGV[1], 'n', 1)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return 1
end
return redis.call('HINCRBY', KEYS[1], 'n', 1)
"""


def count(redis: Any, openid: str, now: float, window: int) -> int:
    """This message's number among the sender's messages in the current window."""
    return int(redis.eval(_COUNT, 1, PREFIX + openid, repr(float(now)), window, 2 * window + 60))


def hold_back(ext: Any, session: Session, row: InboundMessage, msg: Inbound) -> Outcome | None:
    """None when the message may be dispatched; else the answer for a throttled one."""
    window, limit = ext.settings["VOTER_RATE_WINDOW"], ext.settings["VOTER_RATE_LIMIT"]
    if msg.msg_type == "event" or window <= 0 or limit <= 0:
        return None
    try:
        n = count(ext.redis, msg.openid, ext.clock(), window)
    except Exception as exc:  # Redis down: let voters through; the database still stores everything
        log.warning("flood limit unavailable: %s", type(exc).__name__)
        return None
    if n <= limit:
        return None
    if _works_here(ext, session, msg.openid):  # looked up only once a sender is over the voters' limit
        limit = max(limit, ext.settings["DEPUTY_RATE_LIMIT"])
        if n <= limit:
            return None
    text = msg.content if msg.msg_type in ("text", "voice") else None
    if urgent.unreported_danger(session, msg.openid, text, ext.now(), ext.settings["URGENT_ALERT_WINDOW"]):
        return None  # the first report of danger always reaches a person
    row.throttled = True
    reply = None
    if n == limit + 1:
        log.warning("inbound %s: sender over %d messages in %ds, not dispatched", row.id, limit, window)
        reply = texts.TOO_FAST
    if urgent.danger(text):  # staff know already; the advice costs nothing and is never withheld
        reply = (reply or "") + texts.URGENT_ADVICE
    return Outcome(reply=reply)


def _works_here(ext: Any, session: Session, openid: str) -> bool:
    """A deputy in office or a member of the station staff."""
    if openid in (ext.settings.get("STAFF_OPENIDS") or ()):
        return True
    deputy = deputy_by_openid(session, openid)
    return deputy is not None and deputy.active
