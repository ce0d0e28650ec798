"""The station's evaluation summary (年度履职考评汇总表) as .xlsx: one row per
deputy in office with the ten items done, the three parts, the voters' poll
(counts only, and only from 5 ballots up) beside the ticket ratings, and the
weighted total."""
from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from ...models import CHOICES
from ..calendar.local_time import BEIJING
from . import compliance, evaluation
from .items import ITEMS
from .sheet import item_counts

THIN = Side(style="thin", color="808080")


def rows(session: Session, year: int, weights: dict[str, float]) -> list[dict]:
    out = []
    standings = {d.deputy_id: d for d in compliance.report(session, year, date(year, 12, 31))}
    for deputy, found, tally, total in evaluation.station(session, year, weights):
        items = item_counts(session, deputy, year, standings.get(deputy.id))
        out.append({"code": deputy.code, "name": deputy.name,
                    "items": {name: done for name, _, done in items},
                    "items_met": sum(1 for _, required, done in items if done >= required),
                    "self": found.self_score if found else None, "self_grade": found.self_grade if found else None,
                    "org": found.org_score if found else None, "org_grade": found.org_grade if found else None,
                    **{f"poll_{k}": v for k, v in tally.as_dict().items() if k not in ("deputy", "name", "comments")},
                    "total": total.total, "grade": total.grade, "note": total.note})
    return out


def write(session: Session, year: int, weights: dict[str, float], *, station: str, now: datetime) -> bytes:
    data = rows(session, year, weights)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年度考评"
    heads = (["编号", "姓名"] + [i.name for i in ITEMS] + ["达标项数", "自评", "自评等次"]
             + [f"测评{c}" for c in CHOICES] + ["测评票数", "测评得分", "意见评价件数", "意见评价均分", "组织评定",
                                               "组织等次", "综合得分", "综合等次", "说明"])
    sheet.append([f"{year}年度人大代表履职考评汇总表（{station}，生成于 "
                  f"{now.astimezone(BEIJING):%Y-%m-%d %H:%M}）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(heads)
    for r in data:
        counts = r["poll_counts"] or {}
        sheet.append([r["code"], r["name"]] + [r["items"][f"{i.number}. {i.name}"] for i in ITEMS]
                     + [r["items_met"], r["self"], r["self_grade"]]
                     + [counts.get(c) if r["poll_published"] else None for c in CHOICES]
                     + [r["poll_votes"] if r["poll_published"] else r["poll_summary"], r["poll_score"],
                        r["poll_ticket_ratings"], r["poll_ticket_rating_avg"], r["org"], r["org_grade"], r["total"],
                        r["grade"], r["note"]])
    fill = PatternFill("solid", fgColor="F2F2F2")
    for cell in sheet[2]:
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    for i in range(1, len(heads) + 1):
        sheet.column_dimensions[get_column_letter(i)].width = 8 if 3 <= i <= 12 else 11
    sheet.column_dimensions[get_column_letter(len(heads))].width = 30
    sheet.freeze_panes = "C3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "2:2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
