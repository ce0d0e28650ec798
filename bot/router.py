"""One table: (message type, event or matcher) -> handler. First match wins; an
event of None matches any event, a callable matches when it returns True;
unknown types go to the fallback."""
from __future__ import annotations

from typing import Callable

from .handlers import Context, claim, deputy, duty, events, media, poll, reception, text
from .messages import Inbound
from .services.outcome import Outcome

Handler = Callable[[Context, Inbound], Outcome]

ROUTES: list[tuple[str, str | Callable[[Inbound], bool] | None, Handler]] = [
    ("text", claim.is_claim, claim.on_claim),  # "绑定 张三 1234", before opinions
    ("text", deputy.is_command, deputy.on_command),  # "受理 123": deputies act, before the voter path
    ("text", reception.is_command, reception.on_command),  # 预约, 取消预约, 值班代表, 预约名单
    ("text", duty.is_check_in, duty.on_check_in),  # deputies' duty record: "签到" on a reception day
    ("text", duty.is_visit, duty.on_visit),  # "走访 新民村 李大爷家，反映…": a visit note
    ("text", poll.is_vote, poll.on_vote),  # "测评 1": the yearly poll; plain 满意 only while a vote is due
    ("text", None, text.on_text),
    ("voice", deputy.is_command, deputy.on_command),
    ("voice", duty.is_visit, duty.on_visit),
    # A deputy's photo or voice note just after a visit note joins it; else the voter way.
    ("voice", None, duty.on_attachment),
    ("image", None, duty.on_attachment),
    ("video", None, duty.on_attachment),
    ("shortvideo", None, duty.on_attachment),
    ("location", None, media.on_media),
    ("link", None, media.on_media),
    ("event", "subscribe", events.on_subscribe),
    ("event", "scan", events.on_scan),
    ("event", "unsubscribe", events.on_unsubscribe),
    ("event", "click", events.on_click),
    ("event", None, events.on_silent_event),
]
FALLBACK: Handler = media.on_unknown


def route(msg: Inbound) -> Handler:
    for msg_type, event, handler in ROUTES:
        if msg.msg_type != msg_type:
            continue
        if event is None or (event(msg) if callable(event) else event == msg.event):
            return handler
    return FALLBACK


def dispatch(ctx: Context, msg: Inbound) -> Outcome:
    return route(msg)(ctx, msg)
