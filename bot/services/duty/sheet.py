"""The year's evaluation sheet of one deputy (人大代表年度履职考评表) as a
Word file in the station's house style (services/word.py: A4,
宋体 named for East Asian text, a bordered table of labelled boxes): the ten
items' counts, the three parts of the evaluation and the weighted total."""
from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime

from docx import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from sqlalchemy.orm import Session

from ...models import Deputy
from .. import word
from ..calendar.local_time import BEIJING
from ..word import TITLE_FONT, cn_date
from . import compliance, evaluation
from .activities import for_year
from .items import ITEMS, KIND_NAMES

TITLE = "人大代表履职考评表"
LEVEL_NAMES = {"city": "市", "county": "县", "township": "乡"}


def item_counts(session: Session, deputy: Deputy, year: int,
                standing: compliance.DeputyYear | None = None) -> list[tuple[str, int, int]]:
    """(item name, required, done) for the ten items over the whole year (compliance.py counts them)."""
    standing = standing or compliance.one(session, deputy, year, date(year, 12, 31))
    return [(f"{s.item.number}. {s.item.name}", s.required, s.done) for s in standing.items]


def other_counts(session: Session, deputy: Deputy, year: int) -> list[tuple[str, int]]:
    done = Counter(a.kind for a in for_year(session, deputy.id, year) if a.counts)
    return [(KIND_NAMES[k], n) for k, n in sorted(done.items()) if k not in {i.kind for i in ITEMS}]


def _row(table, cells: list[str], label: bool = False, height: float = 0.8) -> None:
    row = table.add_row()
    row.height, row.height_rule = Cm(height), WD_ROW_HEIGHT_RULE.AT_LEAST
    for cell, text in zip(row.cells, cells):
        (word.label if label else word.value)(cell, text)


def _part(table, label: str, head: str, body: str, height: float) -> None:
    row = table.add_row()
    row.height, row.height_rule = Cm(height), WD_ROW_HEIGHT_RULE.AT_LEAST
    word.label(row.cells[0], label)
    box = row.cells[1].merge(row.cells[3])
    word.value(box, head + ("\n" + body if body else ""), top=True)


def _who(by: str | None, at: datetime | None) -> str:
    if not by or at is None:
        return ""
    who = "代表本人填写" if by.startswith("deputy:") else f"{by} 录入"
    return f"（{cn_date(at.astimezone(BEIJING).date())} {who}）"


def write(session: Session, deputy: Deputy, year: int, weights: dict[str, float], *, station: str,
          now: datetime) -> bytes:
    found, tally, total = evaluation.evaluate(session, deputy, year, weights)
    doc = Document()
    props = doc.core_properties
    props.title, props.author, props.subject = f"{year}年度{TITLE} {deputy.name}", station, "人大代表联络站"
    word.defaults(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.5)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    word.text(title, f"{year}年度{TITLE}", east=TITLE_FONT, size=18, bold=True)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.paragraph_format.space_after = Pt(8)
    word.text(sub, f"填报单位：{station}", size=12)

    levels = "、".join(LEVEL_NAMES.get(m.level, m.level) + "人大代表" for m in deputy.mandates)
    table = doc.add_table(rows=0, cols=4)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    word.borders(table)
    for cells in ((deputy.name, deputy.code), (levels or "—", str(year))):
        row = table.add_row()
        row.height, row.height_rule = Cm(0.9), WD_ROW_HEIGHT_RULE.AT_LEAST
        labels = ("代表姓名", "代表编号") if cells[0] == deputy.name else ("代表身份", "考评年度")
        for c in range(2):
            word.label(row.cells[2 * c], labels[c])
            word.value(row.cells[2 * c + 1], cells[c])
    _part(table, "一、履职\n活动", "“十个一”完成情况（全年完成次数 / 要求次数）：", "", 0.8)
    pairs = item_counts(session, deputy, year)
    for left, right in zip(pairs[0::2], pairs[1::2]):
        row = table.add_row()
        row.height, row.height_rule = Cm(0.7), WD_ROW_HEIGHT_RULE.AT_LEAST
        for c, (name, required, done) in enumerate((left, right)):
            word.value(row.cells[2 * c], name)
            mark = "" if done >= required else "（未达）"
            word.value(row.cells[2 * c + 1], f"{done} / {required}{mark}")
    others = "；".join(f"{name} {n} 次" for name, n in other_counts(session, deputy, year))
    if others:
        _part(table, "其他履职", others, "", 0.8)

    def part(code: str) -> tuple[str, str]:
        score, grade = getattr(found, f"{code}_score", None), getattr(found, f"{code}_grade", None)
        if score is None:
            return "未填写", ""
        return (f"等次：{grade}　　得分：{score}　{_who(getattr(found, f'{code}_by'), getattr(found, f'{code}_at'))}",
                getattr(found, f"{code}_text") or "")

    head, body = part("self")
    _part(table, "二、自评", head, body, 2.6)
    voters = "测评结果：" + tally.summary
    if tally.score is not None:
        voters += f"　　折算得分：{tally.score}"
    tickets = (f"本年度群众对所办意见的评价：{tally.rated_tickets} 件，平均 {tally.ticket_rating} 分（满分 5 分）"
               if tally.rated_tickets else "本年度群众对所办意见的评价：暂无")
    comments = ("群众意见：" + "；".join(tally.comments)) if tally.comments else ""
    _part(table, "三、选民\n测评", voters, "\n".join(x for x in (tickets, comments) if x), 2.2)
    head, body = part("org")
    _part(table, "四、组织\n评定", head, body, 2.6)
    shares = "，".join(f"{evaluation.PART_NAMES[p]} {weights[p]:.0%}" for p in evaluation.PARTS)
    result = (f"综合得分：{total.total}　　等次：{total.grade}" if total.total is not None else "综合得分：暂无")
    _part(table, "五、综合\n评定", result, f"权重：{shares}。{total.note}。", 1.6)
    for i, column in enumerate(table.columns):
        width = Cm(2.9) if i % 2 == 0 else Cm(5.1)
        for cell in column.cells:
            cell.width = width

    signatures = doc.add_paragraph()
    signatures.paragraph_format.space_before = Pt(14)
    word.text(signatures, "代表（签名）：＿＿＿＿＿＿　　　　联络站负责人（签名）：＿＿＿＿＿＿")
    seal = doc.add_paragraph()
    seal.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    seal.paragraph_format.space_before = Pt(14)
    word.text(seal, f"{station}（盖章）　　　　年　　月　　日")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    word.text(footer, f"据履职档案生成于 {cn_date(now.astimezone(BEIJING).date())} {now.astimezone(BEIJING):%H:%M}",
          size=9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

