"""The reception notice (接待选民日公告) each site posts in its constituency three
days ahead: an A4 PDF page per site with the date, hours, place, the deputies on
duty, how to book on WeChat and the site's QR code. ReportLab draws it; Chinese
is set in the bundled WenQuanYi subset, embedded, so it prints on any machine."""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Site, Township
from .calendar import Calendar, Occurrence, describe

FONT = Path(str(files("bot") / "assets" / "fonts" / "WenQuanYiMicroHei-CJK.ttf"))
FONT_NAME = "LiaisonCJK"
DAYS_AHEAD = 3
WEEKDAYS = "一二三四五六日"
RED = (0.70, 0.13, 0.13)
INK = (0.12, 0.12, 0.12)
HOW = (("①", "微信扫描左边的二维码，关注公众号；"),
       ("②", "发送“预约”两字，预约本次接待，收到您的号码；"),
       ("③", "不能来的，也可以直接发文字或语音反映意见建议，代表办理后会告诉您结果。"))
# Closing punctuation never starts a line (禁则): it hangs at the end of the previous one.
NO_START = "，。、；：？！）》」』”’…%"
SANDBOX = "测试二维码（沙箱模式，不能在微信中使用）"
# In the QR code's place when the site has none yet: printing never issues one (a GET).
NO_QR = ("本站点还没有二维码", "请在工作台“接待日”页面点", "“生成二维码”，再打印本公告")


@dataclass(frozen=True)
class Page:
    occ: Occurrence
    qr: str | None  # what the site's QR code encodes; None: it has none yet


def long_day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日（星期{WEEKDAYS[d.weekday()]}）"


def township_name(session: Session) -> str:
    return session.scalar(select(Township.name).order_by(Township.id)) or "乡"


def pages(occurrences: list[Occurrence], site_qr: Callable[[int], str | None]) -> list[Page]:
    """One page per reception that is held (cancelled ones print nothing), with
    what the site's QR code encodes (`site_qr(site_id)`, None when the site has
    none yet: services/roster, which sits above this package, keeps the codes)."""
    return [Page(occ, site_qr(occ.site_id)) for occ in occurrences if not occ.cancelled]


def for_month(session: Session, year: int, month: int, site_codes: set[str] | None = None) -> list[Occurrence]:
    """Each site's reception nominally in this month, in site order."""
    occs = Calendar(session).plan(date(year, month, 1), 1)
    return sorted((o for o in occs if site_codes is None or o.site_code in site_codes), key=lambda o: o.site_id)


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT)))


def _moved_line(occ: Occurrence) -> str:
    if occ.moved_for == "staff":
        return f"（本次接待由原定{describe(occ.nominal)}调整到{describe(occ.date)}，请相互转告）"
    if occ.moved_for:
        return f"（原定{describe(occ.nominal)}逢{occ.moved_for}放假，本次接待调整到{describe(occ.date)}）"
    return ""


def _wrap(text: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for ch in text:
        if line and ch not in NO_START and stringWidth(line + ch, FONT_NAME, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines


def _lines(c, lines: list[str], x: float, y: float, size: float, leading: float) -> float:
    """Draw lines downwards from baseline y; returns the baseline after the last."""
    c.setFont(FONT_NAME, size)
    for line in lines:
        c.drawString(x, y, line)
        y -= leading
    return y


def _centre(c, y: float, text: str, size: float, colour=INK) -> None:
    from reportlab.lib.pagesizes import A4

    c.setFont(FONT_NAME, size)
    c.setFillColorRGB(*colour)
    c.drawCentredString(A4[0] / 2, y, text)


def _qr(c, content: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares: sharp at any printer resolution."""
    import segno

    matrix = segno.make(content, error="m").matrix
    n = len(matrix) + 8  # a quiet zone of four modules each side
    cell = size / n
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + (col + 4) * cell, y + size - (r + 5) * cell, cell, cell, stroke=0, fill=1)


def _no_qr(c, x: float, y: float, size: float) -> None:
    """A dashed box saying the site has no code yet, where the code would be."""
    c.setStrokeColorRGB(*RED)
    c.setDash(4, 3)
    c.rect(x, y, size, size, stroke=1, fill=0)
    c.setDash()
    c.setFillColorRGB(*RED)
    c.setFont(FONT_NAME, 10)
    for i, line in enumerate(NO_QR):
        c.drawCentredString(x + size / 2, y + size / 2 + 10 - i * 14, line)


def _page(c, page: Page, issuer: str, today: date, sandbox: bool) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    occ = page.occ
    width, height = A4
    left, right = 25 * mm, width - 25 * mm
    _centre(c, height - 40 * mm, "接待选民日公告", 34, RED)
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(2.2)
    c.line(left, height - 48 * mm, right, height - 48 * mm)
    c.setLineWidth(0.6)
    c.line(left, height - 49.3 * mm, right, height - 49.3 * mm)

    y = height - 63 * mm
    c.setFont(FONT_NAME, 15)
    c.setFillColorRGB(*INK)
    c.drawString(left, y, "各位选民：")
    text = (f"为密切人大代表同人民群众的联系，倾听群众呼声，{occ.site_name}定于"
            f"{long_day(occ.date)}{occ.hours.replace(' ', '')}在{occ.place}开展人大代表接待选民活动。"
            "届时，值班代表将当面听取您的意见和建议，欢迎广大选民群众前来反映情况、提出意见建议。")
    body = _wrap("\u3000\u3000" + text, 15, right - left)
    y = _lines(c, body, left, y - 10 * mm, 15, 26) + 26

    rows = [("接待时间", f"{long_day(occ.date)} {occ.hours}"), ("接待地点", occ.place),
            ("接待代表", occ.names or "值班代表")]
    moved = _moved_line(occ)
    y -= 10 * mm
    row_h, label_w = 13 * mm, 32 * mm
    top = y
    c.setLineWidth(0.8)
    c.setStrokeColorRGB(*INK)
    for label, value in rows:
        cell = _wrap(value, 16, right - left - label_w - 8 * mm)
        ch = 21 * len(cell)
        h = max(row_h, ch + 7 * mm)
        c.setFillColorRGB(0.96, 0.93, 0.93)
        c.rect(left, y - h, label_w, h, stroke=0, fill=1)
        c.setFillColorRGB(*INK)
        c.setFont(FONT_NAME, 16)
        c.drawCentredString(left + label_w / 2, y - h / 2 - 5.5, label)
        _lines(c, cell, left + label_w + 4 * mm, y - h / 2 + ch / 2 - 16, 16, 21)
        c.line(left, y - h, right, y - h)
        y -= h
    c.rect(left, y, right - left, top - y, stroke=1, fill=0)
    c.line(left + label_w, y, left + label_w, top)
    if moved:
        y -= 9 * mm
        c.setFont(FONT_NAME, 13)
        c.setFillColorRGB(*RED)
        c.drawString(left, y, moved)

    y -= 15 * mm
    c.setFont(FONT_NAME, 18)
    c.setFillColorRGB(*RED)
    c.drawString(left, y, "微信预约 · 有事找代表")
    size = 55 * mm
    qr_top = y - 5 * mm
    if page.qr is not None:
        _qr(c, page.qr, left, qr_top - size, size)
    else:
        _no_qr(c, left, qr_top - size, size)
    c.setFillColorRGB(*INK)
    ty, hx = qr_top - 9 * mm, left + size + 6 * mm
    for mark, line in HOW:
        c.setFont(FONT_NAME, 14)
        c.drawString(hx, ty, mark)
        ty = _lines(c, _wrap(line, 14, right - hx - 7 * mm), hx + 7 * mm, ty, 14, 21) - 5
    bottom = min(ty, qr_top - size)
    if sandbox and page.qr is not None:
        c.setFont(FONT_NAME, 11)
        c.setFillColorRGB(*RED)
        c.drawString(left, qr_top - size - 6 * mm, SANDBOX)
        bottom -= 6 * mm

    issued = min(max(today, occ.date - timedelta(days=DAYS_AHEAD)), occ.date)
    c.setFillColorRGB(*INK)
    c.setFont(FONT_NAME, 16)
    # Under the content, above the footer, however long the place and the names were.
    sign_y = max(min(36 * mm, bottom - 12 * mm), 28 * mm)
    for i, line in enumerate((issuer, occ.site_name, f"{issued.year}年{issued.month}月{issued.day}日")):
        c.drawCentredString(right - 38 * mm, sign_y - i * 8 * mm, line)
    c.setFont(FONT_NAME, 10)
    c.setFillColorRGB(0.4, 0.4, 0.4)
    c.drawCentredString(width / 2, 8 * mm, f"请于{describe(occ.date)}前张贴 · {occ.site_name}")


def render(items: list[Page], issuer: str, today: date, sandbox: bool) -> bytes:
    """One A4 page per item, as PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle("接待选民日公告")
    c.setAuthor(issuer)
    for page in items:
        _page(c, page, issuer, today, sandbox)
        c.showPage()
    c.save()
    return buf.getvalue()


def file_name(items: list[Page]) -> str:
    """ASCII, so no header encoding is needed: notice-2026-12[-site].pdf."""
    if not items:
        return "notice.pdf"
    first = items[0].occ
    return f"notice-{first.nominal:%Y-%m}" + (f"-{first.site_code}" if len(items) == 1 else "") + ".pdf"
