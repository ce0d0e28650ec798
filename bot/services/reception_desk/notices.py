"""The printed notices (接待选民日公告) and the sites' QR codes on them.

Printing is a GET, so it never issues a code (in production that is a call to
WeChat for a permanent code, of which an account has 100,000): a site's notice
carries the code the site already has, or says in its place that there is none
yet. Issuing is a POST of its own ("生成二维码") through `issue_codes`."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import QrCode, Site, User
from ..reception import month as month_service
from ..reception import notice
from ..reception.calendar import Occurrence
from ..roster import codes, qr
from .clerks import clerk, record


def site_qr(session: Session, site_id: int, sandbox: bool) -> str | None:
    """What the site's live code encodes, without issuing or requesting anything;
    None when it has no live code (or, in production, WeChat's code was never requested)."""
    issued = codes.live(session, "site", site_id)
    if issued is None:
        return None
    scene = codes.scene_for("site", issued.scene_key or "")
    if sandbox:
        return qr.content_for(session, scene, None)
    row = session.scalar(select(QrCode).where(QrCode.scene == scene))
    return row.url if row is not None else None


def has_code(session: Session, by: User, site_id: int, sandbox: bool) -> bool:
    clerk(by)
    return site_qr(session, site_id, sandbox) is not None


def without_code(session: Session, by: User, sandbox: bool) -> list[Site]:
    """Sites whose notices would print without a QR code."""
    clerk(by)
    return [s for s in session.scalars(select(Site).order_by(Site.id)) if site_qr(session, s.id, sandbox) is None]


def pages(session: Session, by: User, occs: list[Occurrence] | None, month_text: str | None, today: date, *,
          sandbox: bool, address: str | None, now: datetime) -> list[notice.Page]:
    """The notices of these receptions, or (occs None) of every site's reception in the
    month asked for; one page each, cancelled ones none. Audited when there is a page."""
    actor = clerk(by)
    if occs is None:
        year, month_no = month_service.parse_month(month_text, today)
        occs = notice.for_month(session, year, month_no)
    items = notice.pages(occs, lambda site_id: site_qr(session, site_id, sandbox))
    if items:
        missing = sum(1 for p in items if p.qr is None)
        record(session, actor, "reception.notice", ",".join(p.occ.site_code for p in items),
               f"{len(items)} 页" + (f"，{missing} 页没有二维码" if missing else ""), address, now)
    return items


def render(session: Session, by: User, items: list[notice.Page], today: date, sandbox: bool) -> tuple[bytes, str]:
    """The PDF and its file name."""
    clerk(by)
    issuer = f"{notice.township_name(session)}人大主席团"
    return notice.render(items, issuer, today, sandbox), notice.file_name(items)


def issue_codes(session: Session, by: User, site_codes: list[str], *, create: qr.CreateQr | None,
                address: str | None, now: datetime) -> list[str]:
    """Give each of these sites (every site when none is named) that has no code yet its
    code, as `liaison qr posters` would: `create` is WeChat's permanent-code call (None in
    sandbox mode), made once per site and kept. The names of the sites that got one. Audited."""
    actor = clerk(by)
    query = select(Site).order_by(Site.id)
    if site_codes:
        query = query.where(Site.code.in_([c[:32] for c in site_codes]))
    done = []
    for found in session.scalars(query):
        if site_qr(session, found.id, create is None) is not None:
            continue
        issued = codes.ensure(session, "site", found.id, now, f"console:{actor}")
        qr.content_for(session, codes.scene_for("site", issued.scene_key or ""), create)
        done.append(found)
    if done:
        record(session, actor, "reception.qr", ",".join(s.code for s in done), f"{len(done)} 个站点生成二维码",
               address, now)
    return [s.name for s in done]
