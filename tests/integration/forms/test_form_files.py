"""The registration form (.docx) and the ticket list (.xlsx): what they say,
and that they say no more than the reader may see."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, true

from bot.models import Ticket
from bot.services.accounts import access
from bot.services.station import Station
from bot.services.tickets import board, form_sheet, form_word, forms

from forms_kit import FRESH, HANDLED, SECRET, docx_text, xlsx_rows


def _ticket(db, number):
    return db.scalar(select(Ticket).where(Ticket.number == number))


def test_the_form_of_a_handled_ticket_reads_like_the_paper_form(township, db):
    ext = township.app.extensions["liaison"]
    data = form_word.write(forms.row(db, _ticket(db, township.handled), reveal=True),
                           station=forms.station_name(db), now=ext.now())
    text = docx_text(data)
    assert "闭会期间代表建议、批评和意见登记表" in text and "示范乡人大代表联络站" in text
    for expected in (township.handled, HANDLED, township.deputy.name, "村镇建设办", township.voter_name,
                     "三盏路灯已换新，晚上亮了", "4 分（满意）：修得很快", "代表（签名）", "（盖章）", "年　　月　　日"):
        assert expected in text, expected
    # The labels are the paper form's boxes.
    for label in ("编号", "代表姓名", "登记日期", "反映人", "联系村组", "意见类别", "反映内容", "承办单位", "办理结果",
                  "群众反馈", "满意度", "备注", "联络站"):
        assert label in text, label


def test_the_form_names_an_east_asian_font_so_chinese_renders(township, db):
    import io

    from docx import Document
    from docx.oxml.ns import qn

    ext = township.app.extensions["liaison"]
    data = form_word.write(forms.row(db, _ticket(db, township.handled), reveal=True), station="站", now=ext.now())
    doc = Document(io.BytesIO(data))
    runs = [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) in ("宋体", "黑体") for r in runs)
    assert (round(doc.sections[0].page_width.cm, 1), round(doc.sections[0].page_height.cm, 1)) == (21.0, 29.7)


def test_a_deputy_or_the_county_sees_the_voter_masked_and_staff_see_the_name(township, db):
    ticket = _ticket(db, township.handled)
    surname = township.voter_name[0]
    assert forms.row(db, ticket, reveal=False).voter == f"{surname}某"
    assert forms.row(db, ticket, reveal=True).voter == township.voter_name


def test_a_voter_who_asked_not_to_be_named_is_masked_even_for_staff(township, db):
    ticket = _ticket(db, township.secret)
    row = forms.row(db, ticket, reveal=True)
    assert ticket.voter.name and ticket.voter.name not in row.voter
    assert row.deputy == "联络站（保密件）" and "保密件" in row.remarks and "反映人已隐去" in row.remarks
    assert SECRET in row.matter


def test_internal_notes_never_reach_the_form(township, db):
    from bot.services.tickets import records

    ticket = _ticket(db, township.fresh)
    records.note(db, ticket, "staff:clerk", township.app.extensions["liaison"].now(), "内部：这位群众常来反映")
    db.flush()
    row = forms.row(db, ticket, reveal=True)
    assert "常来反映" not in "".join(vars(row).values()) and row.result == "尚未办理"


def test_the_list_holds_the_rows_the_console_list_shows_for_the_same_filters(township, db):
    ext = township.app.extensions["liaison"]
    now, station = ext.now(), Station.from_settings(ext.settings)
    today = now.date()
    for filters in (board.Filters(), board.Filters(status="rated"), board.Filters(text="自来水"),
                    board.Filters(since=today - timedelta(days=1), until=today),
                    board.Filters(deputy_id=township.deputy.id), board.Filters(overdue=False),
                    board.Filters(since=today + timedelta(days=1))):
        shown, total = board.search(db, true(), filters, per_page=100, now=now, station=station)
        listing = forms.listing(db, true(), filters, reveal=True, now=now, station=station)
        rows = xlsx_rows(form_sheet.write(listing, station="站", filters=forms.summary(forms.describe(db, filters)),
                                          now=now))
        assert [r["编号"] for r in rows] == [t.number for t in shown] and listing.total == total, filters
    every = xlsx_rows(form_sheet.write(forms.listing(db, true(), board.Filters(), reveal=True, now=now,
                                                     station=station), station="站", filters="全部", now=now))
    handled = next(r for r in every if r["编号"] == township.handled)
    assert handled["反映内容"] == HANDLED and handled["代表姓名"] == township.deputy.name
    assert handled["承办单位"] == "村镇建设办" and handled["状态"] == "已评价"
    assert FRESH in next(r["反映内容"] for r in every if r["编号"] == township.fresh)


def test_a_list_past_the_export_limit_says_how_many_it_left_out(township, db):
    ext = township.app.extensions["liaison"]
    listing = forms.listing(db, true(), board.Filters(), reveal=True, now=ext.now(),
                            station=Station.from_settings(ext.settings), limit=2)
    assert len(listing.rows) == 2 and listing.total == 3
    from openpyxl import load_workbook
    import io

    cover = load_workbook(io.BytesIO(form_sheet.write(listing, station="站", filters="全部", now=ext.now())))["说明"]
    assert any("只导出了最新的 2 件" in str(c.value) for row in cover.iter_rows() for c in row)


def test_a_deputys_list_holds_only_their_tickets_and_never_a_confidential_one(township, db):
    from bot.services.accounts import users

    ext = township.app.extensions["liaison"]
    me = users.create(db, username="dep", password="correct horse battery", role="deputy",
                      deputy_code=township.deputy.code, by="test", now=ext.now())
    listing = forms.listing(db, access.visible(me), board.Filters(), reveal=False, now=ext.now(),
                            station=Station.from_settings(ext.settings))
    assert [r.number for r in listing.rows] == [township.handled]
    assert listing.rows[0].voter == f"{township.voter_name[0]}某"
    county = users.create(db, username="county", password="correct horse battery", role="county", by="test",
                          now=ext.now())
    assert forms.listing(db, access.visible(county), board.Filters(), reveal=False, now=ext.now(),
                         station=Station.from_settings(ext.settings)).rows == []


def test_words_excel_would_run_as_a_formula_stay_text(township, db):
    import io

    from openpyxl import load_workbook

    ext = township.app.extensions["liaison"]
    ticket = _ticket(db, township.fresh)
    ticket.text = '=HYPERLINK("http://evil.example","点我")'
    db.flush()
    listing = forms.listing(db, true(), board.Filters(), reveal=True, now=ext.now(),
                            station=Station.from_settings(ext.settings))
    sheet = load_workbook(io.BytesIO(form_sheet.write(listing, station="站", filters="全部", now=ext.now())))["工单"]
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_control_characters_in_a_message_do_not_break_the_files(township, db):
    ext = township.app.extensions["liaison"]
    ticket = _ticket(db, township.fresh)
    ticket.text = "路灯\x00坏了\x1b三天"
    db.flush()
    row = forms.row(db, ticket, reveal=True)
    assert row.matter == "路灯坏了三天"
    assert "路灯坏了三天" in docx_text(form_word.write(row, station="站", now=ext.now()))


def test_the_forms_table_keeps_words_schema_order_so_word_opens_it(township, db):
    """Word (unlike LibreOffice) refuses a file whose properties are out of the schema's order."""
    import io
    import zipfile

    from lxml import etree

    ext = township.app.extensions["liaison"]
    data = form_word.write(forms.row(db, _ticket(db, township.handled), reveal=True), station="站", now=ext.now())
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def order(parent_tag, first, then):
        for parent in xml.iter(w + parent_tag):
            tags = [child.tag for child in parent]
            if w + first in tags and w + then in tags:
                yield tags.index(w + first) < tags.index(w + then)

    assert all(order("tblPr", "tblBorders", "tblLayout")) and list(order("tblPr", "tblBorders", "tblLayout"))
    assert all(order("trPr", "cantSplit", "trHeight")) and list(order("trPr", "cantSplit", "trHeight"))
    assert all(order("tcPr", "shd", "vAlign")) and list(order("tcPr", "shd", "vAlign"))
