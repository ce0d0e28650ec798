"""The registration form (登记表) of one ticket as a Word file, laid out like
the paper form: a title, a bordered table of labelled boxes on one A4 page,
and lines for the signatures and the station's seal.

Every run names an East Asian font (w:eastAsia), so Word and LibreOffice set
the Chinese in 宋体 (or their nearest CJK font) instead of a Latin fallback."""
from __future__ import annotations

import io
from datetime import date, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt

from .. import word
from ..calendar.local_time import BEIJING
from ..word import TITLE_FONT, cn_date
from .forms import FORM_TITLE, FormRow

LABEL_WIDTH, VALUE_WIDTH = Cm(2.9), Cm(5.1)  # 2 × (2.9 + 5.1) = 16 cm between 2.5 cm margins
# The boxes below the header rows: (field, label, least height in cm).
BOXES = (("matter", "反映内容", 5.5), ("office", "承办单位", 1.2), ("result", "办理结果", 5.0),
         ("feedback", "群众反馈\n满意度", 2.2), ("remarks", "备注", 1.6))
STATION_BOX = ("联络站\n意见", 3.0)


def _widths(table) -> None:
    for i, column in enumerate(table.columns):
        width = LABEL_WIDTH if i % 2 == 0 else VALUE_WIDTH
        column.width = width
        for cell in column.cells:
            cell.width = width


def _station_box(row, station: str) -> None:
    """The station's opinion, signature and seal: kept whole on one page."""
    label, height = STATION_BOX
    row.height, row.height_rule = Cm(height), WD_ROW_HEIGHT_RULE.AT_LEAST
    word.insert(row._tr.get_or_add_trPr(), OxmlElement("w:cantSplit"),
            ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden"))
    word.label(row.cells[0], label)
    box = row.cells[1].merge(row.cells[3])
    box.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    for i, line in enumerate(("", f"{station}（盖章）", "负责人（签名）：＿＿＿＿＿＿　　　　年　　月　　日")):
        p = box.paragraphs[0] if i == 0 else box.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(6)
        word.text(p, line)


def _cn_day(iso: str) -> str:
    return cn_date(date.fromisoformat(iso)) if iso else ""


def write(form: FormRow, *, station: str, now: datetime) -> bytes:
    """The .docx bytes of the registration form for `form`."""
    doc = Document()
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = f"{FORM_TITLE} {form.number}", station, station
    props.subject, props.keywords, props.comments = "人大代表联络站", form.number, ""
    word.defaults(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.left_margin = section.right_margin = Cm(2.5)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    word.text(title, FORM_TITLE, east=TITLE_FONT, size=18, bold=True)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.paragraph_format.space_after = Pt(10)
    word.text(sub, f"填报单位：{station}", size=12)

    table = doc.add_table(rows=4 + len(BOXES), cols=4)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    word.borders(table)
    _widths(table)
    header = ((("编号", form.number), ("登记日期", _cn_day(form.registered))),
              (("代表姓名", form.deputy), ("意见类别", form.category)),
              (("反映人", form.voter), ("联系村组", form.village)))
    for r, pairs in enumerate(header):
        row = table.rows[r]
        row.height, row.height_rule = Cm(1.0), WD_ROW_HEIGHT_RULE.AT_LEAST
        for c, (label, value) in enumerate(pairs):
            word.label(row.cells[2 * c], label)
            word.value(row.cells[2 * c + 1], value)
    for r, (field, label, height) in enumerate(BOXES, start=3):
        row = table.rows[r]
        row.height, row.height_rule = Cm(height), WD_ROW_HEIGHT_RULE.AT_LEAST
        word.label(row.cells[0], label)
        box = row.cells[1].merge(row.cells[3])
        word.value(box, getattr(form, field), top=True)

    _station_box(table.rows[-1], station)
    signatures = doc.add_paragraph()
    signatures.paragraph_format.space_before = Pt(12)
    word.text(signatures, "代表（签名）：＿＿＿＿＿＿＿＿　　　　　登记人（签名）：＿＿＿＿＿＿＿＿")

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    word.text(footer, f"据工单 {form.number} 的记录生成于 {cn_date(now.astimezone(BEIJING).date())}"
                  f" {now.astimezone(BEIJING):%H:%M}（当前状态：{form.status}）", size=9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
