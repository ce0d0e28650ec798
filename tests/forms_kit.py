"""What the forms' tests share: a station with a few tickets at every stage, for the forms' tests: one
handled from start to finish and rated, one fresh, one confidential (the
voter asked for anonymity), each from a different voter."""
from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy import select

from bot.models import Deputy, Ticket, Voter
from bot.services.station import Station
from bot.services.tickets import desk
from lifecycle_kit import VOTER, build, number_in
from wechat_user import Phone

STATION = Station(offices=("水务站", "村镇建设办"))
HANDLED = "村口的路灯坏了三个月了，晚上出门看不见路，请尽快修好"
FRESH = "村里自来水停了三天了，老人做饭都没有水"
SECRET = "低保评定不公平，请匿名处理，不要告诉代表是我说的"
OTHER_VOTER = "oDEMO_voter_01_01"  # another village, another deputy
THIRD_VOTER = "oDEMO_voter_09_01"  # a third village


@dataclass
class Township:
    app: object
    handled: str
    fresh: str
    secret: str
    deputy: Deputy  # the handled ticket's deputy
    voter_name: str  # the handled ticket's voter
    fresh_village_id: int


def handled_township(make_app, db) -> Township:
    """The demo township (already seeded) with the three tickets."""
    app = build(make_app)
    ext = app.extensions["liaison"]
    handled = number_in(Phone(app, VOTER).says(HANDLED).text)
    fresh = number_in(Phone(app, OTHER_VOTER).says(FRESH).text)
    secret = number_in(Phone(app, THIRD_VOTER).says(SECRET).text)
    ticket = db.scalar(select(Ticket).where(Ticket.number == handled))
    now = ext.now()
    for action, arg in (("accept", ""), ("transfer", "村镇建设办"), ("reply", "已请村镇建设办派电工查看线路"),
                        ("resolve", "三盏路灯已换新，晚上亮了")):
        assert desk.take(db, ticket, action, arg, now, STATION, deputy=None, actor="staff:clerk").moved
    db.commit()
    assert "感谢您" in (Phone(app, VOTER).says("4 修得很快").text or "")
    db.expire_all()
    ticket = db.scalar(select(Ticket).where(Ticket.number == handled))
    assert ticket.rating == 4 and db.scalar(select(Ticket.confidential).where(Ticket.number == secret))
    voter = db.scalar(select(Voter).where(Voter.openid == VOTER))
    fresh_village = db.scalar(select(Ticket.village_id).where(Ticket.number == fresh))
    return Township(app, handled, fresh, secret, ticket.deputy, voter.name, fresh_village)


def docx_text(data: bytes) -> str:
    """Every paragraph of the document, its tables' cells included, as python-docx reads them."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def xlsx_rows(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data))["工单"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]
