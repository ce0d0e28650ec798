"""What staff do to a broadcast, shared by `liaison broadcast` and the console:
times typed in Beijing time, sending now or at a time, pause / resume /
cancel, and the Chinese words staff read for states and refusals.

Services never name jobs (bot.jobs imports the services): `send` and `act`
say whether the sender must start now, and the caller enqueues it after the
commit (bot/jobs/commit.py)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from ...models import Broadcast, BroadcastStatus
from ..calendar.local_time import BEIJING
from . import broadcast as service
from .broadcast import BroadcastError

STATUS_NAMES = {"draft": "草稿", "scheduled": "已排期", "sending": "发送中", "paused": "已暂停",
                "cancelled": "已取消", "done": "已发完"}
PAUSE_REASONS = {"paused by staff": "工作人员暂停",
                 "WeChat daily quota reached (45009)": "微信当天的接口调用次数已用完（45009），明天再继续"}
TARGETS_HELP = "all（全部）| deputies（代表）| sites:站点编码,… | villages:行政村编码,… | groups:群编码,…"
ACTIONS = {"pause": "暂停", "resume": "继续", "cancel": "取消"}
WHEN_HELP = "北京时间，格式 'YYYY-MM-DD HH:MM'"
# Finished: nothing will change any more (a poller stops here).
FINISHED = (BroadcastStatus.DONE, BroadcastStatus.CANCELLED)


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)


def pause_reason(reason: str) -> str:
    return PAUSE_REASONS.get(reason, reason)


def parse_when(value: str | None) -> datetime | None:
    """A time staff typed in Beijing time ("2026-06-05 09:00", or the browser's
    "2026-06-05T09:00"), in UTC: SQLite keeps no offset, and reads back as UTC."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        local = datetime.strptime(value.replace("T", " ")[:16], "%Y-%m-%d %H:%M")
    except ValueError:
        raise BroadcastError(f"“{value[:40]}”不是{WHEN_HELP}") from None
    return local.replace(tzinfo=BEIJING).astimezone(timezone.utc)


def beijing(value: datetime | None) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def send(session: Session, b: Broadcast, when: datetime | None, now: datetime) -> bool:
    """Schedule it (at `when`, at the time it was created with, or now).
    Returns True when it is due now: the caller starts the sender after the commit.
    A time given must lie ahead (a past one is a typing mistake, not "now")."""
    if when is not None and when <= now:
        raise BroadcastError(f"定时发送的时间 {beijing(when)}（北京时间）已经过了，请选以后的时间")
    try:
        service.schedule(session, b, when, now)
    except BroadcastError:
        raise BroadcastError(f"群发 #{b.id} {status_name(b.status)}，不能再发送") from None
    return b.scheduled_at <= now


def act(session: Session, b: Broadcast, action: str, now: datetime) -> bool:
    """pause, resume or cancel. Returns True when the sender must start again
    (a resumed broadcast that had begun sending)."""
    if action not in ACTIONS:
        raise BroadcastError(f"不认识的操作 {action!r}")
    try:
        if action == "pause":
            service.pause(session, b)
        elif action == "resume":
            service.resume(session, b)
        else:
            service.cancel(session, b, now)
    except BroadcastError:
        raise BroadcastError(f"群发 #{b.id} {status_name(b.status)}，不能{ACTIONS[action]}") from None
    return action == "resume" and b.status == BroadcastStatus.SENDING


def explain(error: BroadcastError | str) -> str:
    """The broadcast service's reasons for refusing, for staff (those written
    in Chinese already pass through)."""
    message = str(error)
    names = {"sites": "站点", "villages": "行政村", "voter_groups": "联系选民群", "groups": "联系选民群"}
    if m := re.fullmatch(r"unknown (\w+): (.+)", message):
        return f"没有这些{names.get(m[1], m[1])}编码：{m[2]}"
    if m := re.fullmatch(r"(\w+) needs codes.*", message):
        return f"--to {m[1]} 后面要写编码，例如 {m[1]}:编码1,编码2"
    if message.startswith("targets must be one of"):
        return f"--to 只能是 {TARGETS_HELP}"
    if "needs text" in message:
        return "通知正文不能为空"
    if "needs an author" in message:
        return "请用 --by 写明发通知的人"
    return message
