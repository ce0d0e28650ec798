"""The station's Word house style, shared by every generated .docx (the
registration form, the evaluation sheet): A4 forms with bordered tables of
shaded labels. Every run names an East Asian font (w:eastAsia), so Word and
LibreOffice set the Chinese in 宋体 (or their nearest CJK font) instead of a
Latin fallback."""
from __future__ import annotations

from datetime import date

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

BODY_FONT, TITLE_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
LABEL_FILL = "F2F2F2"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def fonts(run, east: str = BODY_FONT, size: float = 11, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)


def text(paragraph, words: str, **style) -> None:
    fonts(paragraph.add_run(words), **style)


def defaults(doc) -> None:
    """Normal text in 宋体 小四, Chinese as the East Asian language (line breaking, font choice)."""
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(12)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15


def borders(table) -> None:
    """A heavier frame and thin inner lines, as printed forms have."""
    frame = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4" if edge.startswith("inside") else "12")  # eighths of a point
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        frame.append(line)
    insert(table._tbl.tblPr, frame, ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"))


def insert(parent, child, successors: tuple[str, ...]) -> None:
    """Put `child` before the first of `successors` present: Word refuses elements out of the schema's order."""
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def shade(cell) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), LABEL_FILL)
    insert(cell._tc.get_or_add_tcPr(), shd, ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign"))


def label(cell, words: str) -> None:
    shade(cell)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for i, line in enumerate(words.split("\n")):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        text(p, line, bold=True)


def value(cell, words: str, top: bool = False) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP if top else WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = (words or "").split("\n")
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.paragraph_format.space_after = Pt(2)
        text(p, line)
