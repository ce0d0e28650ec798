"""What the station's clerks do to the roster, from the console or the CLI:
the template and the audited export, the "3+10" health report with a link to
each problem, one deputy's, group's or voter's record, posters, and revoking
or renewing QR codes. Flushes, never commits.

`by` is either a console account (admin or staff only: others get Forbidden)
or, from the CLI (the station's own shell), the string "cli:<login>"."""
from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Union

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import (ActivityGroup, Constituency, ContactLink, Deputy, NaturalVillage, QrCode, Role, Site,
                       User, Village, Voter, VoterGroup)
from ..accounts import access, audit
from ..roster import codes, posters, qr, report
from ..roster.binding import revoke_deputy_cards, revoke_group, revoke_site
from ..roster.phones import PhoneBox
from ..roster.workbook.export import write_export, write_template
from ..roster.workbook.spec import LEVEL_TITLES

Clerk = Union[User, str]
CLERKS = (Role.ADMIN, Role.STAFF)
KIND_NAMES = {"site": "站点", "group": "联系选民群", "deputy": "代表", "voter": "选民"}
FORMATS = {"png": "image/png", "pdf": "application/pdf"}


class RosterError(ValueError):
    """A request about the roster that cannot be done; the message is for the clerk."""


def clerk(by: Clerk) -> str:
    """The name the audit log keeps; a console account must be admin or staff."""
    if isinstance(by, str):
        return by
    access.require(by, *CLERKS)
    return by.username


def template_bytes(by: Clerk) -> bytes:
    clerk(by)
    buf = io.BytesIO()
    write_template(buf)
    return buf.getvalue()


def export(session: Session, by: Clerk, box: PhoneBox, now: datetime, *, path: str | None = None,
           target: str = "console", address: str | None = None) -> tuple[bytes | None, dict[str, int]]:
    """The whole roster as a workbook (phones and WeChat bindings in it): to `path`
    (the CLI), else returned as bytes. Every export is in the audit log."""
    actor = clerk(by)
    if path is not None:
        counts, data = write_export(session, path, box), None
    else:
        with tempfile.TemporaryDirectory() as folder:  # 0700, removed at once
            spot = os.path.join(folder, "roster.xlsx")
            counts = write_export(session, spot, box)
            with open(spot, "rb") as fh:
                data = fh.read()
    audit.record(session, actor=actor, action="export.roster", target=target[-255:],
                 detail="，".join(f"{k} {v}" for k, v in counts.items()), address=address, now=now)
    return data, counts


def overview(session: Session, by: Clerk) -> dict[str, Any]:
    clerk(by)
    return {"stats": report.stats(session), "health": report.problem_counts(session)}


def health(session: Session, by: Clerk) -> list[dict[str, Any]]:
    """Each check with its items; every item names the record to open (kind, code)."""
    clerk(by)
    found = report.check(session)
    return [{"key": key, "heading": heading, "kind": report.CHECK_KINDS[key], "found": found[key]}
            for key, heading in report.CHECKS.items()]


def problems_of(session: Session, kind: str, code: str) -> list[str]:
    """The health checks this record fails (headings)."""
    found = report.check(session)
    return [report.CHECKS[key] for key, items in found.items()
            if report.CHECK_KINDS[key] == kind and any(i["code"] == code for i in items)]


def _name(session: Session, model: Any, id_: int | None) -> str:
    row = session.get(model, id_) if id_ else None
    return f"{row.name}（{row.code}）" if row is not None else ""


def record(session: Session, by: Clerk, kind: str, code: str,
           create: qr.CreateQr | None = None) -> dict[str, Any] | None:
    """What the roster holds about one deputy, group or voter (never a phone
    number); `create` as for `issued` (a group's poster)."""
    clerk(by)
    if kind == "deputy":
        return _deputy(session, code)
    if kind == "group":
        found = _group(session, code)
        return found and {**found, "ready": bool(found["active"]) and issued(session, "group", code, create)}
    if kind == "voter":
        return _voter(session, code)
    return None


def _deputy(session: Session, code: str) -> dict[str, Any] | None:
    d = session.scalar(select(Deputy).where(Deputy.code == code))
    if d is None:
        return None
    mandates = [f"{LEVEL_TITLES.get(m.level, m.level)}级" + (f"，选区 {_name(session, Constituency, m.constituency_id)}"
                                                           if m.constituency_id else "，没有选区") for m in d.mandates]
    uppers = session.scalars(select(Deputy).join(ContactLink, ContactLink.from_deputy_id == Deputy.id)
                             .where(ContactLink.to_deputy_id == d.id).order_by(Deputy.code)).all()
    lowers = session.scalars(select(Deputy).join(ContactLink, ContactLink.to_deputy_id == Deputy.id)
                             .where(ContactLink.from_deputy_id == d.id).order_by(Deputy.code)).all()
    led = select(VoterGroup).where(VoterGroup.deputy_id == d.id).order_by(VoterGroup.code)
    groups = [{"code": g.code, "name": g.name, "active": g.active, "members": _members(session, g.id)}
              for g in session.scalars(led)]
    return {"kind": "deputy", "code": d.code, "name": d.name, "active": d.active,
            "fields": [("职务", "；".join(mandates) or "没有"), ("驻站站点", _name(session, Site, d.site_id) or "不驻站"),
                       ("活动小组", _name(session, ActivityGroup, d.activity_group_id) or "没有"),
                       ("在职", "是" if d.active else "否"), ("微信", "已绑定" if d.openid else "未绑定"),
                       ("未使用的绑定卡", "有" if codes.live(session, "deputy", d.id) else "没有")],
            "uppers": [(u.code, u.name) for u in uppers], "lowers": [(w.code, w.name) for w in lowers],
            "groups": groups, "problems": problems_of(session, "deputy", d.code)}


def _members(session: Session, group_id: int) -> int:
    return int(session.scalar(select(func.count(Voter.id)).where(Voter.group_id == group_id)) or 0)


def _group(session: Session, code: str) -> dict[str, Any] | None:
    g = session.scalar(select(VoterGroup).where(VoterGroup.code == code))
    if g is None:
        return None
    live = codes.live(session, "group", g.id) if g.active else None
    return {"kind": "group", "code": g.code, "name": g.name, "active": g.active,
            "deputy": (g.deputy.code, g.deputy.name),
            "fields": [("站点", _name(session, Site, g.site_id) or "没有"), ("成员", f"{_members(session, g.id)} 人"),
                       ("启用", "是" if g.active else "否（二维码已作废）"),
                       ("二维码", "已签发" if live else ("未签发（点“生成二维码”签发）" if g.active else "已作废"))],
            "problems": problems_of(session, "group", g.code)}


def _voter(session: Session, code: str) -> dict[str, Any] | None:
    v = session.scalar(select(Voter).where(Voter.code == code))
    if v is None:
        return None
    group = session.get(VoterGroup, v.group_id) if v.group_id else None
    return {"kind": "voter", "code": v.code, "name": v.name or "", "group": (group.code, group.name) if group else None,
            "fields": [("行政村", _name(session, Village, v.village_id) or "没有"),
                       ("自然村", _name(session, NaturalVillage, v.natural_village_id) or "没有"),
                       ("微信", "已绑定" if v.openid else "未绑定")],
            "problems": problems_of(session, "voter", code)}


def qr_listing(session: Session, by: Clerk, create: qr.CreateQr | None = None) -> dict[str, list[dict[str, Any]]]:
    """Sites, groups and deputies with the state of their codes, for the posters
    page; `ready`: its poster can be downloaded without issuing anything (`issued`)."""
    clerk(by)
    sites = [{"code": s.code, "name": s.name, "issued": codes.live(session, "site", s.id) is not None,
              "ready": issued(session, "site", s.code, create)}
             for s in session.scalars(select(Site).order_by(Site.id))]
    groups = [{"code": g.code, "name": g.name, "deputy": g.deputy.name, "active": g.active,
               "issued": g.active and codes.live(session, "group", g.id) is not None,
               "ready": g.active and issued(session, "group", g.code, create)}
              for g in session.scalars(select(VoterGroup).order_by(VoterGroup.code))]
    deputies = [{"code": d.code, "name": d.name, "bound": bool(d.openid),
                 "card": codes.live(session, "deputy", d.id) is not None}
                for d in session.scalars(select(Deputy).where(Deputy.active.is_(True)).order_by(Deputy.code))]
    return {"sites": sites, "groups": groups, "deputies": deputies}


@dataclass(frozen=True)
class PosterFile:
    name: str  # "group-G03.pdf": ASCII, from stored codes only
    mimetype: str
    data: bytes
    title: str


def _render(session: Session, item: qr.Poster, create: qr.CreateQr | None, fmt: str) -> PosterFile:
    content = qr.content_for(session, item.scene, create, keep=item.kind != "deputy")
    data = posters.encode(posters.render(item, content, sandbox=create is None), fmt)
    title = item.deputy.name if item.deputy else item.group.name if item.group else item.site.name if item.site else ""
    return PosterFile(f"{item.kind}-{item.code}.{fmt}", FORMATS[fmt], data, title)


class NotIssued(RosterError):
    """The site or group has no code yet: issuing one is its own (POST) action."""


def _public_target(session: Session, kind: str, code: str) -> Site | VoterGroup | None:
    if kind == "site":
        return session.scalar(select(Site).where(Site.code == code))
    if kind == "group":
        return session.scalar(select(VoterGroup).where(VoterGroup.code == code, VoterGroup.active.is_(True)))
    return None


def issued(session: Session, kind: str, code: str, create: qr.CreateQr | None) -> bool:
    """Whether the site's or group's poster can be drawn without issuing anything:
    its code is live and, in live mode, WeChat's picture of it is already kept."""
    target = _public_target(session, kind, code)
    row = codes.live(session, kind, target.id) if target is not None else None
    if row is None:
        return False
    scene = codes.scene_for(kind, row.scene_key or "")
    return create is None or session.scalar(select(QrCode.id).where(QrCode.scene == scene)) is not None


def _missing(kind: str, code: str) -> RosterError:
    return RosterError(f"没有编码为 {code} 的{KIND_NAMES.get(kind, '站点或群')}，或这个群已停用（二维码已作废）")


def poster(session: Session, by: Clerk, kind: str, code: str, fmt: str, now: datetime,
           create: qr.CreateQr | None, *, issue: bool = True) -> PosterFile:
    """A site's or group's A4 poster, its code issued now if it has none, or
    with `issue=False` (a console GET) only an already issued one (NotIssued).
    `create` is WeChat's permanent-QR call; None in sandbox mode."""
    actor = clerk(by)
    if fmt not in FORMATS:
        raise RosterError("只能下载 PNG 或 PDF")
    if not issue and not issued(session, kind, code, create):
        if _public_target(session, kind, code) is None:
            raise _missing(kind, code)
        raise NotIssued(f"{KIND_NAMES[kind]} {code} 还没有二维码：请先在“二维码海报”页面点“生成二维码”")
    item = qr.poster_for(session, kind, code, now, actor)
    if item is None:
        raise _missing(kind, code)
    return _render(session, item, create, fmt)


def issue(session: Session, by: Clerk, kind: str, code: str, now: datetime, create: qr.CreateQr | None) -> bool:
    """Issue the site's or group's code (and in live mode WeChat's picture of it)
    if it has none; False when it already had one."""
    actor = clerk(by)
    if issued(session, kind, code, create):
        return False
    item = qr.poster_for(session, kind, code, now, actor)
    if item is None:
        raise _missing(kind, code)
    qr.content_for(session, item.scene, create)
    return True


def renew_card(session: Session, by: Clerk, code: str, fmt: str, now: datetime, create: qr.CreateQr | None, *,
               address: str | None = None) -> PosterFile:
    """A new private binding card for the deputy; the old unused one stops
    working. Its token is only in the returned file: hand it to the deputy."""
    actor = clerk(by)
    if fmt not in FORMATS:
        raise RosterError("只能下载 PNG 或 PDF")
    items = qr.posters(session, now, actor, deputy_codes=(code,))
    if not items:
        raise RosterError(f"没有编码为 {code} 的在职代表")
    done = _render(session, items[0], create, fmt)
    audit.record(session, actor=actor, action="qr.card", target=f"deputy:{code}"[:255], detail="新卡，旧卡作废",
                 address=address, now=now)
    return done


REVOKERS = {"group": revoke_group, "site": revoke_site, "deputy": revoke_deputy_cards}


def revoke(session: Session, by: Clerk, kind: str, code: str, now: datetime, *, address: str | None = None) -> Any:
    """Stop a group's or site's QR code, or a deputy's unused cards; audited.
    Members, bound voters and a deputy's binding stay."""
    actor = clerk(by)
    if kind not in REVOKERS:
        raise RosterError("二维码要写成 group:群编码、site:站点编码 或 deputy:代表编码，例如 group:G03")
    target = REVOKERS[kind](session, code, now)
    if target is None:
        raise RosterError(f"没有编码为 {code} 的{KIND_NAMES[kind]}")
    audit.record(session, actor=actor, action="qr.revoke", target=f"{kind}:{code}"[:255], address=address, now=now)
    return target
