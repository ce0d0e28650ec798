"""Broadcasts in the staff console, for admin and staff alone: every function
asks services/accounts first. The list (with this year's publicity-day
drafts), the audience chooser and its live count, composing and editing,
sending now or at a time, pause / resume / cancel, and the progress the
console polls. The sending itself is the worker's (bot/jobs/sender.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import (TARGET_KINDS, Broadcast, BroadcastDelivery, BroadcastStatus, DeliveryStatus, Site, Village,
                       VoterGroup)
from ..accounts import NotFound, access
from . import broadcast as service
from . import campaigns, control
from .broadcast import BroadcastError

STAFF = ("admin", "staff")
MAX_TEXT = 600  # a WeChat text message holds 2048 bytes: 600 Chinese characters fit
MAX_TITLE = 40
MAX_CODES = 500
TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
KIND_NAMES = {"all": "全部选民和代表", "sites": "按联络站点", "villages": "按行政村", "groups": "按联系选民群",
              "deputies": "全体代表"}
CHOOSING = {"sites": (Site, "站点"), "villages": (Village, "行政村"), "groups": (VoterGroup, "联系选民群")}
# What the compose form's buttons ask for.
DO = {"draft": "保存草稿", "now": "立即发送", "schedule": "定时发送"}
SEGMENTS = (("sent", "已发送"), ("failed", "失败"), ("skipped", "跳过"), ("unknown", "不确定"))
# A compose form's one-use token (the console makes it when it renders the form).
COMPOSE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
SUBMITTED = "这条群发已经提交过了"
# The progress bar asks again every second while sending (or about to), every
# 30 seconds while a broadcast waits for a time further ahead.
FAST, SLOW, SOON = "1s", "30s", timedelta(seconds=60)


class Once(Protocol):
    """One-use compose tokens, claimed atomically (the console keeps them in
    Redis, SET NX): a form posted twice makes one broadcast."""

    def claim(self, token: str) -> bool: ...  # True for the first claim only
    def first(self, token: str) -> int | None: ...  # the broadcast the first claim made, once known
    def settle(self, token: str, broadcast_id: int) -> None: ...
    def release(self, token: str) -> None: ...  # nothing was made: the token may be used again


class Submitted(BroadcastError):
    """The compose form was posted already (a double click, a repeated POST)."""

    def __init__(self, broadcast_id: int | None):
        super().__init__(SUBMITTED)
        self.broadcast_id = broadcast_id


def require_staff(user: Any) -> None:
    access.require(user, *STAFF)


@dataclass
class Draft:
    """What the compose form holds, as typed."""

    text: str = ""
    title: str = ""
    template_id: str = ""
    kind: str = "all"
    codes: list[str] = field(default_factory=list)
    when: str = ""  # Beijing time, "YYYY-MM-DDTHH:MM" as the browser sends it

    @classmethod
    def of(cls, b: Broadcast) -> Draft:
        when = control.beijing(b.scheduled_at).replace(" ", "T")
        return cls(text=b.text, title=b.title, template_id=b.template_id or "", kind=b.targets.get("kind", "all"),
                   codes=list(b.targets.get("codes") or []), when=when)


def targets(draft: Draft) -> dict[str, Any]:
    """The audience the form chose, checked: codes only where a kind takes them."""
    if draft.kind not in TARGET_KINDS:
        raise BroadcastError("请选择发给谁")
    if draft.kind not in CHOOSING:
        return {"kind": draft.kind, "codes": []}
    codes = sorted({c.strip()[:64] for c in draft.codes if c.strip()})
    if not codes:
        raise BroadcastError(f"请至少选一个{CHOOSING[draft.kind][1]}")
    if len(codes) > MAX_CODES:
        raise BroadcastError(f"一次最多选 {MAX_CODES} 个{CHOOSING[draft.kind][1]}")
    return {"kind": draft.kind, "codes": codes}


def audience(session: Session, user: Any, draft: Draft) -> dict[str, Any]:
    """The live count under the chooser: recipients, unsubscribed voters skipped,
    or why it cannot be counted yet."""
    require_staff(user)
    try:
        counts = service.counts(session, targets(draft))
    except BroadcastError as exc:
        return {"recipients": 0, "skipped": 0, "error": control.explain(exc)}
    return {**counts, "error": ""}


def choices(session: Session, user: Any) -> dict[str, list[tuple[str, str]]]:
    require_staff(user)
    out = {}
    for kind, (model, _) in CHOOSING.items():
        out[kind] = [(code, name) for code, name in session.execute(
            select(model.code, model.name).order_by(model.code)).all()]
    return out


def describe(session: Session, targets_: dict[str, Any]) -> str:
    """"按联络站点：上丰联络点、善福联络点" (codes no longer on the roster shown as codes)."""
    kind, codes = targets_.get("kind"), targets_.get("codes") or []
    if kind not in CHOOSING:
        return KIND_NAMES.get(kind, kind)
    model = CHOOSING[kind][0]
    names = dict(session.execute(select(model.code, model.name).where(model.code.in_(codes))).all())
    return f"{KIND_NAMES[kind]}：" + "、".join(names.get(c, c) for c in codes)


def load(session: Session, user: Any, broadcast_id: int, lock: bool = False) -> Broadcast:
    """One broadcast. With `lock`, for a change: its row locked (FOR UPDATE; the
    sender's start takes the same lock) and read afresh, so the caller checks
    the state the change will be written over, not the one it read before."""
    require_staff(user)
    if lock:
        b = session.scalar(select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
                           .execution_options(populate_existing=True))
    else:
        b = session.get(Broadcast, broadcast_id)
    if b is None:
        raise NotFound(f"没有编号为 {broadcast_id} 的群发")
    return b


def listing(session: Session, user: Any, now: datetime, page: int = 1, per_page: int = 30
            ) -> tuple[list[dict[str, Any]], int]:
    """Newest first, with each one's delivery counts; this year's publicity-day
    drafts are made first if missing (the caller commits)."""
    require_staff(user)
    campaigns.ensure(session, now)
    total = session.scalar(select(func.count()).select_from(Broadcast))
    rows = list(session.scalars(select(Broadcast).order_by(Broadcast.id.desc())
                                .offset((max(1, page) - 1) * per_page).limit(per_page)))
    tally: dict[int, dict[str, int]] = {b.id: {} for b in rows}
    for bid, status, n in session.execute(
            select(BroadcastDelivery.broadcast_id, BroadcastDelivery.status, func.count())
            .where(BroadcastDelivery.broadcast_id.in_(list(tally))).group_by(BroadcastDelivery.broadcast_id,
                                                                            BroadcastDelivery.status)):
        tally[bid][status] = n
    items = [{"id": b.id, "title": b.title, "text": b.text, "status": b.status,
              "status_name": control.status_name(b.status), "audience": describe(session, b.targets),
              "scheduled_at": b.scheduled_at, "author": b.author, "campaign": bool(b.campaign_key),
              "sent": tally[b.id].get(DeliveryStatus.SENT, 0), "total": sum(tally[b.id].values())} for b in rows]
    return items, total


def editable(b: Broadcast) -> bool:
    """A draft, or one scheduled that has not started: nothing sent, nothing staged."""
    return b.status in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED) and b.started_at is None


def _checked(draft: Draft) -> tuple[str, str, str | None, dict[str, Any]]:
    text, title, template_id = draft.text.strip(), draft.title.strip(), draft.template_id.strip()
    if not text:
        raise BroadcastError("通知正文不能为空")
    if len(text) > MAX_TEXT:
        raise BroadcastError(f"正文最多 {MAX_TEXT} 字（现在 {len(text)} 字）")
    if len(title) > MAX_TITLE:
        raise BroadcastError(f"标题最多 {MAX_TITLE} 字")
    if template_id and not TEMPLATE_ID.fullmatch(template_id):
        raise BroadcastError("模板消息 ID 只能由字母、数字、- 和 _ 组成（在公众号后台“模板消息”里复制）")
    return text, title, template_id or None, targets(draft)


def compose(session: Session, user: Any, draft: Draft, do: str, now: datetime, *, once: Once, token: str,
            broadcast_id: int | None = None) -> tuple[Broadcast, bool]:
    """Save a new broadcast or edit one not yet started, then keep it as a
    draft, send it now, or schedule it. Returns it and whether the sender
    must start now (the caller enqueues it after the commit).

    `token` is the form's one-use token: claimed through `once` before
    anything changes, so the same form posted twice (a double click) makes
    and sends one broadcast; the second post raises Submitted. When this
    raises anything else, nothing was made (the caller rolls back) and the
    claim is released: the corrected form may be posted again."""
    require_staff(user)
    if do not in DO:
        raise BroadcastError("请选择保存草稿、立即发送或定时发送")
    checked = _checked(draft)
    when = control.parse_when(draft.when)
    if do == "schedule" and when is None:
        raise BroadcastError("定时发送请填写发送时间（北京时间）")
    if not COMPOSE_TOKEN.fullmatch(token or ""):
        raise BroadcastError("这张表单已过期，请检查内容后再提交一次")
    if not once.claim(token):
        raise Submitted(once.first(token) or broadcast_id)
    try:
        b = _save(session, user, checked, when, now, broadcast_id)
        once.settle(token, b.id)
        if do == "draft":
            return b, False
        if do == "now":
            b.scheduled_at = None  # now, not the time a publicity-day draft came with
            when = None
        return b, control.send(session, b, when, now)
    except BaseException:
        once.release(token)
        raise


def _save(session: Session, user: Any, checked: tuple[str, str, str | None, dict[str, Any]],
          when: datetime | None, now: datetime, broadcast_id: int | None) -> Broadcast:
    """A new broadcast, or the edit of one not started (its row locked), as a draft."""
    text, title, template_id, targets_ = checked
    if broadcast_id is None:
        b = service.create(session, text=text, title=title, targets=targets_, author=user.username, now=now,
                           template_id=template_id)
    else:
        b = load(session, user, broadcast_id, lock=True)
        if not editable(b):  # the state under the lock: the sender may have started it since the form was shown
            raise BroadcastError(f"群发 #{b.id} {control.status_name(b.status)}，不能再修改")
        service.counts(session, targets_)  # unknown codes refused before anything changes
        b.text, b.title, b.template_id, b.targets = text, title, template_id, targets_
        b.status = BroadcastStatus.DRAFT  # saved again: a draft until sent or scheduled below
    b.scheduled_at = when
    session.flush()
    return b


def act(session: Session, user: Any, broadcast_id: int, action: str, now: datetime) -> tuple[Broadcast, bool]:
    """pause, resume or cancel; returns the broadcast and whether the sender must start again.
    Decided on the row locked and read afresh: a pause cannot overwrite "done",
    two resumes at once start one sender."""
    b = load(session, user, broadcast_id, lock=True)
    return b, control.act(session, b, action, now)


def _every(b: Broadcast, now: datetime | None) -> str:
    """How often the page asks again: every second while sending or about to."""
    if b.status == BroadcastStatus.SCHEDULED and (now is None or b.scheduled_at is None
                                                  or b.scheduled_at - now > SOON):
        return SLOW
    return FAST


def progress(session: Session, user: Any, b: Broadcast, now: datetime | None = None,
             expected: int | None = None) -> dict[str, Any]:
    """Where its sending stands, for the progress bar. Before every recipient
    is staged, the audience count stands in for the rows still to come:
    `expected`, the figure the page counted when it was opened (the polls
    carry it), else counted here. A poll does not count the audience again."""
    require_staff(user)
    st = service.status(session, b.id)
    total = st["total"]
    if not b.staged and b.status != BroadcastStatus.CANCELLED:
        if expected is None:
            counted = service.counts(session, b.targets)
            expected = counted["recipients"] + counted["skipped"]
        total = max(total, expected)
    else:
        expected = None
    done = sum(st[k] for k, _ in SEGMENTS)
    finished = b.status in control.FINISHED
    waiting = max(0, total - done) if not finished else st["waiting"]
    percent = 100 if b.status == BroadcastStatus.DONE else (done * 100 // total if total else 0)
    bars, edge, at = [], 0, 0
    for key, name in SEGMENTS:  # bar segments in thousandths, cumulative so they never leave a gap
        at += st[key]
        right = round(at * 1000 / total) if total else 0
        if right > edge:
            bars.append({"key": key, "x": edge, "width": right - edge, "name": name, "n": st[key]})
        edge = max(edge, right)
    return {"status": b.status, "status_name": control.status_name(b.status),
            "pause_reason": control.pause_reason(b.pause_reason) if b.pause_reason else "",
            "sent": st["sent"], "failed": st["failed"], "skipped": st["skipped"], "unknown": st["unknown"],
            "waiting": waiting, "total": total, "done": done, "percent": percent, "bars": bars,
            "finished": finished, "expected": expected, "every": _every(b, now),
            # The page asks again while something can still change by itself.
            "polling": b.status in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)}
