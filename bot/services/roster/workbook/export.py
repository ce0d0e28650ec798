"""Database -> workbook, and the empty template. Same sheets and columns as the import."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....infra.files import open_private
from ....models import (
    ActivityGroup,
    Constituency,
    ContactLink,
    Deputy,
    Mandate,
    NaturalVillage,
    Site,
    Township,
    Village,
    Voter,
    VoterGroup,
)
from ...sheets import safe_text_cell
from ..phones import PhoneBox
from .spec import LEVEL_TITLES, SHEETS, SITE_KIND_NAMES

HELP = [
    "人大代表联络站名册模板：每个工作表第一行是列名，请勿修改；从第二行起每行一条。",
    "带 * 的说明见列名上的批注。编码是每一行的身份：改名称、电话等不要改编码；导入时按编码更新。",
    "兼任两级代表的同一人，在“代表”表写两行，编码相同、级别不同。",
    "导入：liaison roster import 名册.xlsx（先用 --dry-run 检查）。有任何一行出错，整个文件都不会导入。",
    "同一文件重复导入不会改变任何数据；修改后再导入，只更新改动的行，并列出改动。",
    "大村的选民名单可以单独存为 CSV（列名同“选民”表）导入。",
]


def _book(rows_by_sheet: dict[str, list[list[object]]]):
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.title)
        for i, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=i, value=col.title)
            cell.font = Font(bold=True)
            note = ("必填。" if col.required else "") + col.note
            if note:
                cell.comment = Comment(note, "liaison")
            letter = cell.column_letter
            ws.column_dimensions[letter].width = 14 if col.kind != "text" else 22
            if col.choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(t for t, _ in col.choices) + '"',
                                    allow_blank=not col.required)
                dv.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        rows = rows_by_sheet.get(sheet.name, [])
        for values in rows:  # data first: formatting cells below would push append() down
            ws.append(["" if v is None else v for v in values])
            for cell in ws[ws.max_row]:
                safe_text_cell(cell, cell.value)  # text that looks like a formula stays text
        for i, col in enumerate(sheet.columns, start=1):
            if col.kind == "phone":  # keep Excel from turning numbers into 1.38E+10
                for r in range(2, 2 + max(len(rows), 200)):
                    ws.cell(row=r, column=i).number_format = "@"
    info = book.create_sheet("说明")
    for line in HELP:
        info.append([line])
    info.column_dimensions["A"].width = 100
    return book


def write_template(path: str | Path) -> None:
    _book({}).save(path)


def _code(row) -> str | None:
    return row.code if row is not None else None


def write_export(session: Session, path: str | Path, box: PhoneBox) -> dict[str, int]:
    kinds = {v: k for k, v in SITE_KIND_NAMES.items()}
    by_id = {m: {r.id: r for r in session.scalars(select(m))} for m in
             (Township, Site, Constituency, Village, NaturalVillage, ActivityGroup, Deputy, VoterGroup)}

    def code(model, id_):
        return _code(by_id[model].get(id_)) if id_ else None

    def ordered(model):
        return sorted(by_id[model].values(), key=lambda r: r.id)

    rows: dict[str, list[list[object]]] = {
        "township": [[t.code, t.name] for t in ordered(Township)],
        "site": [[s.code, kinds.get(s.kind, s.kind), s.name, s.address, s.reception_day, s.brand]
                 for s in ordered(Site)],
        "constituency": [[c.code, c.name, LEVEL_TITLES.get(c.level, c.level)] for c in ordered(Constituency)],
        "village": [[v.code, v.name, code(Township, v.township_id), code(Site, v.site_id),
                     code(Constituency, v.constituency_id)] for v in ordered(Village)],
        "natural_village": [[n.code, n.name, code(Village, n.village_id)] for n in ordered(NaturalVillage)],
        "activity_group": [[a.code, a.name] for a in ordered(ActivityGroup)],
        "deputy": [], "link": [], "group": [], "voter": [],
    }
    for m in session.scalars(select(Mandate).order_by(Mandate.deputy_id, Mandate.id)):
        d = by_id[Deputy][m.deputy_id]
        rows["deputy"].append([d.code, d.name, box.open(d.phone_enc), LEVEL_TITLES.get(m.level, m.level),
                               code(Constituency, m.constituency_id), code(Site, d.site_id),
                               code(ActivityGroup, d.activity_group_id), "是" if d.active else "否", d.openid])
    for link in session.scalars(select(ContactLink).order_by(ContactLink.id)):
        rows["link"].append([code(Deputy, link.from_deputy_id), code(Deputy, link.to_deputy_id)])
    for g in ordered(VoterGroup):
        rows["group"].append([g.code, g.name, code(Deputy, g.deputy_id), code(Site, g.site_id),
                              "是" if g.active else "否"])
    # WeChat-only voters (no roster code) are not part of the roster.
    for v in session.scalars(select(Voter).where(Voter.code.is_not(None)).order_by(Voter.id)):
        rows["voter"].append([v.code, v.name, box.open(v.phone_enc), code(Village, v.village_id),
                              code(NaturalVillage, v.natural_village_id), code(VoterGroup, v.group_id), v.openid])
    # Phones and WeChat bindings: readable by this user only, whatever the umask.
    with open_private(path) as fh:
        _book(rows).save(fh)
    return {s.title: len(rows[s.name]) for s in SHEETS}
