"""The ticket list as an Excel workbook: one row per ticket with the
registration form's columns (services/tickets/forms.py), and a cover sheet
saying which filters made it, when and how many. Prints on landscape A4, one
page wide, the header row repeated on every page."""
from __future__ import annotations

import io
import math
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..calendar.local_time import BEIJING
from ..sheets import safe_text_cell
from .forms import COLUMNS, Listing

SHEET, COVER = "工单", "说明"
# Column widths in characters (a Chinese character is about two).
WIDTHS = {"number": 12, "status": 8, "deputy": 10, "registered": 11, "voter": 8, "village": 12, "category": 9,
          "matter": 34, "office": 10, "result": 32, "feedback": 16, "remarks": 18}
LINE_POINTS, MAX_POINTS = 13, 409  # one wrapped line of 11-point text; Excel's tallest row
WIDE = 1.8  # a Chinese character is a little less than two columns wide
# What Excel would run as a formula: such text is stored as text.
CELL_LIMIT = 32000  # Excel holds 32,767 characters in a cell
THIN = Side(style="thin", color="808080")


def _cell_text(value: str) -> str:
    return value[:CELL_LIMIT]


def _lines(text: str, width: int) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (a Chinese character takes about two).
    Neither openpyxl nor LibreOffice sizes rows of a written file, so the file says how tall each is."""
    room = max(1, width - 1)
    return sum(max(1, math.ceil(sum(1 if ord(c) < 0x2E80 else WIDE for c in line) / room))
               for line in text.split("\n"))


def write(listing: Listing, *, station: str, filters: str, now: datetime) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    ws.append([title for _, title in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for form in listing.rows:
        values = [_cell_text(getattr(form, name)) for name, _ in COLUMNS]
        ws.append(values)
        lines = max(_lines(v, WIDTHS[name]) for v, (name, _) in zip(values, COLUMNS))
        ws.row_dimensions[ws.max_row].height = min(MAX_POINTS, LINE_POINTS * lines + 4)
        for cell in ws[ws.max_row]:
            safe_text_cell(cell, cell.value)  # a voter's "=..." stays their words
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    for i, (name, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS[name]
    last = get_column_letter(len(COLUMNS))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{last}{max(1, ws.max_row)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = f"{station} 意见工单"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    cover = book.create_sheet(COVER)
    shown = len(listing.rows)
    count = f"{listing.total} 件" + (f"（只导出了最新的 {shown} 件，请缩小筛选范围）" if shown < listing.total else "")
    for label, value in (("名称", f"{station} 意见工单列表"), ("导出时间", f"{now.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"),
                         ("筛选条件", filters), ("件数", count),
                         ("反映人", "按导出账号的权限显示：代表和县人大账号只见姓氏；要求不具名的群众一律隐去姓名"),
                         ("注意", "文件含群众反映的内容，请妥善保管，不要转发")):
        cover.append([label, value])
        cover.cell(row=cover.max_row, column=1).font = Font(bold=True)
        cover.cell(row=cover.max_row, column=1).alignment = Alignment(vertical="top")
        cover.cell(row=cover.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        cover.row_dimensions[cover.max_row].height = LINE_POINTS * _lines(value, 60) + 4
    cover.column_dimensions["A"].width = 12
    cover.column_dimensions["B"].width = 60
    cover.page_setup.paperSize = cover.PAPERSIZE_A4
    cover.page_setup.fitToWidth, cover.page_setup.fitToHeight = 1, 0
    cover.sheet_properties.pageSetUpPr.fitToPage = True
    book.properties.title = f"{station} 意见工单"
    book.properties.creator = station
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
