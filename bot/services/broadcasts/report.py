"""A broadcast's delivery report, one line per recipient, on the console page
and as an .xlsx file (admin and staff alone). A recipient is shown as a
deputy or a staff alert shows a voter, "吴某" and their village: never the
openid, never a full name. The rows are read in batches, so a broadcast to
the whole township does not sit in memory."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ...models import DELIVERY_STATUSES, Broadcast, BroadcastDelivery, Deputy, Village, Voter
from ..roster.voters import display_name
from ..sheets import safe_text_cell
from . import control
from .desk import describe, progress, require_staff

STATUS_NAMES = {"pending": "等待发送", "sending": "发送中", "sent": "已发送", "failed": "失败", "skipped": "跳过",
                "unknown": "不确定（可能已送达，不再重发）"}
CHANNELS = {"custom": "客服消息", "template": "模板消息", "sandbox": "沙箱（未真正发出）"}
COLUMNS = ("序号", "接收人", "村", "身份", "结果", "原因", "发送方式", "发送时间（北京时间）", "尝试次数")
WIDTHS = (8, 12, 14, 8, 12, 36, 14, 20, 10)
REASONS = (
    (r"unsubscribed", "已取消关注公众号"),
    (r"cancelled", "群发已取消"),
    (r"refused \((\d+)\)", r"对方拒收（\1）"),
    (r"gave up after (\d+) attempts: (.*)", r"试了 \1 次仍未发出：\2"),
    (r"worker stopped during the send; not resent", "发送时后台进程中断，可能已送达，不再重发"),
    (r"window closed, no template configured", "超过 48 小时互动窗口，且没有配置模板消息"),
    (r"not sent: daily quota reached", "微信当天的接口调用次数已用完，明天继续"),
)
BATCH = 1000


def reason_name(reason: str | None) -> str:
    if not reason:
        return ""
    for pattern, words in REASONS:
        if re.fullmatch(pattern, reason):
            return re.sub(pattern, words, reason)
    return reason


def _query(broadcast_id: int, status: str | None) -> Any:
    village = aliased(Village)
    q = (select(BroadcastDelivery.id, BroadcastDelivery.status, BroadcastDelivery.reason, BroadcastDelivery.channel,
                BroadcastDelivery.sent_at, BroadcastDelivery.attempts, Voter.name, village.name, Deputy.name,
                BroadcastDelivery.voter_id)
         .outerjoin(Voter, Voter.id == BroadcastDelivery.voter_id)
         .outerjoin(village, village.id == Voter.village_id)
         .outerjoin(Deputy, Deputy.id == BroadcastDelivery.deputy_id)
         .where(BroadcastDelivery.broadcast_id == broadcast_id))
    if status in DELIVERY_STATUSES:
        q = q.where(BroadcastDelivery.status == status)
    return q.order_by(BroadcastDelivery.id)


def _line(n: int, row: Any) -> dict[str, Any]:
    _id, status, reason, channel, sent_at, attempts, voter_name, village_name, deputy_name, voter_id = row
    deputy = voter_id is None and deputy_name is not None
    return {"n": n, "who": display_name(deputy_name if deputy else voter_name),
            "village": "" if deputy else (village_name or "未登记村"), "role": "代表" if deputy else "选民",
            "status": status, "status_name": STATUS_NAMES.get(status, status), "reason": reason_name(reason),
            "channel": CHANNELS.get(channel or "", channel or ""), "sent_at": control.beijing(sent_at),
            "attempts": attempts}


def page(session: Session, user: Any, b: Broadcast, status: str | None = None, number: int = 1,
         per_page: int = 50) -> tuple[list[dict[str, Any]], int]:
    """One page of the report, and how many lines it has in all."""
    require_staff(user)
    q = _query(b.id, status)
    total = session.scalar(select(func.count()).select_from(q.order_by(None).subquery()))
    start = (max(1, number) - 1) * per_page
    rows = session.execute(q.offset(start).limit(per_page)).all()
    return [_line(start + i + 1, r) for i, r in enumerate(rows)], total


def lines(session: Session, broadcast_id: int) -> Iterator[dict[str, Any]]:
    """Every line, read by id in batches (keyset, not OFFSET)."""
    last, n = 0, 0
    while True:
        rows = session.execute(_query(broadcast_id, None).where(BroadcastDelivery.id > last).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            n += 1
            yield _line(n, row)
        last = rows[-1][0]


def workbook(session: Session, user: Any, b: Broadcast, now: datetime) -> tuple[bytes, int]:
    """The report as .xlsx bytes: a summary sheet and one line per recipient.
    Returns the file and its number of lines (the caller audits the download)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    require_staff(user)
    st = progress(session, user, b)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("发送明细")

    def row(ws: Any, values: tuple) -> list:
        """Cells, not values: text that looks like a formula is typed as text."""
        return [safe_text_cell(WriteOnlyCell(ws), v) for v in values]

    for i, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for line in lines(session, b.id):
        count += 1
        sheet.append(row(sheet, (line["n"], line["who"], line["village"], line["role"], line["status_name"],
                                 line["reason"], line["channel"], line["sent_at"], line["attempts"])))
    about = book.create_sheet("概况")
    for key, value in (("群发编号", b.id), ("标题", b.title), ("正文", b.text),
                       ("发给", describe(session, b.targets)), ("状态", st["status_name"]),
                       ("已发送", st["sent"]), ("失败", st["failed"]), ("跳过", st["skipped"]),
                       ("不确定", st["unknown"]), ("等待", st["waiting"]), ("共计", st["total"]),
                       ("发布人", b.author), ("导出时间（北京时间）", control.beijing(now))):
        about.append(row(about, (key, value)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
