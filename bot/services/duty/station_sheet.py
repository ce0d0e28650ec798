"""The station's report of the ten items as an Excel workbook (履职情况表):
who is behind first (one row per deputy behind, with the items), then every
deputy by the ten items (done/required, behind cells shaded), then a sheet
saying the year, the as-of day and the rule. Prints on landscape A4, one page
wide. Built from compliance.DeputyYear rows; no personal notes, only counts."""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..calendar.local_time import BEIJING
from .compliance import DeputyYear
from .items import ITEMS

BEHIND_SHEET, ALL_SHEET, ABOUT_SHEET = "落后名单", "完成情况", "说明"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
BEHIND_FILL = PatternFill("solid", fgColor="FCA5A5")
LINE_POINTS = 14  # one wrapped line of 11-point text
ITEMS_WIDTH = 70
WIDE = 1.6  # columns a Chinese character takes, as LibreOffice and Excel print 11-point text
RULE = ("每月走访：每个月过完后应有一次；半年学习：5月1日起上半年应有一次，11月1日起下半年应有一次；"
        "其余每年一次的项目：11月1日起还没有的算落后。只计统计日及以前的活动；"
        "待认定的（如还没有认定为正式建议的意见上报）不计。")


def _lines(text: str, width: int) -> int:
    """Lines `text` wraps to in a column `width` wide (a Chinese character takes about 1.6). Neither
    openpyxl nor LibreOffice sizes the rows of a written file, so the file says how tall each is."""
    room = max(1, width - 1)
    return sum(max(1, math.ceil(sum(1 if ord(c) < 0x2E80 else WIDE for c in line) / room)) for line in text.split("\n"))


def _head(ws: Worksheet, titles: Sequence[str], lines: int = 1) -> None:
    ws.append(list(titles))
    ws.row_dimensions[ws.max_row].height = LINE_POINTS * lines + 4
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER


def _body(ws: Worksheet, values: Sequence[object]) -> None:
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        cell.border = BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def _print(ws: Worksheet, title: str, widths: Sequence[float]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = title
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def write(rows: Sequence[DeputyYear], *, station: str, year: int, as_of: date, sites: dict[int, str],
          scope: str, now: datetime) -> bytes:
    """`sites`: deputy id -> the site whose pool they are in; `scope`: what the rows are (全部代表, a site)."""
    title = f"{station} {year}年代表“十个一”履职情况"
    book = Workbook()
    behind_ws = book.active
    behind_ws.title = BEHIND_SHEET
    _head(behind_ws, ["编号", "姓名", "站点", "落后项数", "落后项目（已完成/到统计日应完成）"])
    behind = [r for r in rows if r.behind]
    for r in behind:
        items = "；".join(f"{s.item.name}（已{s.done}/应{s.due}）" for s in r.behind)
        _body(behind_ws, [r.code, r.name, sites.get(r.deputy_id, ""), len(r.behind), items])
        behind_ws.row_dimensions[behind_ws.max_row].height = LINE_POINTS * _lines(items, ITEMS_WIDTH) + 4
    if not behind:
        behind_ws.append(["（没有落后的代表）"])
    _print(behind_ws, title + " · 落后名单", [8, 10, 16, 9, ITEMS_WIDTH])

    all_ws = book.create_sheet(ALL_SHEET)
    _head(all_ws, ["编号", "姓名", "站点"] + [f"{i.number}.{i.name}\n（全年{i.required}）" for i in ITEMS]
          + ["落后项数"], lines=3)
    for r in rows:
        _body(all_ws, [r.code, r.name, sites.get(r.deputy_id, "")] + [s.done for s in r.items] + [len(r.behind)])
        for col, s in enumerate(r.items, start=4):
            cell = all_ws.cell(row=all_ws.max_row, column=col)
            cell.alignment = Alignment(horizontal="center", vertical="top")
            if s.behind:
                cell.fill = BEHIND_FILL
                cell.font = Font(bold=True, color="7F1D1D")
    _print(all_ws, title + " · 完成情况", [8, 10, 16] + [10] * len(ITEMS) + [8])

    about = book.create_sheet(ABOUT_SHEET)
    for label, value in (("名称", title), ("范围", scope), ("统计截至", f"{as_of.isoformat()}"),
                         ("代表人数", f"{len(rows)} 人，其中落后 {len(behind)} 人"),
                         ("导出时间", f"{now.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"),
                         ("“完成情况”表", "每格是已完成次数；红底的是落后（到统计日应完成的次数还没有达到）。"),
                         ("落后的算法", RULE)):
        about.append([label, value])
        about.cell(row=about.max_row, column=1).font = Font(bold=True)
        about.cell(row=about.max_row, column=1).alignment = Alignment(vertical="top")
        about.cell(row=about.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        about.row_dimensions[about.max_row].height = LINE_POINTS * _lines(value, 70) + 4
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 70
    about.page_setup.paperSize = about.PAPERSIZE_A4
    about.page_setup.fitToWidth, about.page_setup.fitToHeight = 1, 0
    about.sheet_properties.pageSetUpPr.fitToPage = True
    book.properties.title = title
    book.properties.creator = station
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
