"""The "3+10" health report (`liaison roster check`) and roster counts (`roster stats`)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import (ActivityGroup, Constituency, ContactLink, Deputy, Mandate, NaturalVillage, Site,
                       Township, Village, Voter, VoterGroup)

FIXED_VOTERS = 10  # the "+10"

CHECKS = {  # key -> heading staff read
    "city_without_county": "市级代表没有联系县级代表",
    "county_without_township": "县级代表没有联系乡级代表",
    "township_without_constituency": "乡级代表没有选区",
    "stationed_not_ten": "驻站代表的固定选民不是 10 人",
    "voters_without_group": "选民没有加入联系选民群",
    "groups_deputy_unbound": "联系选民群的代表未绑定微信",
}
# The words staff read for `stats`.
STAT_NAMES = {"townships": "乡镇", "people": "代表（人）", "mandates": "职务", "mandates_by_level": "各级职务",
              "cross_serving": "交叉任职（人）", "constituencies": "选区", "villages": "行政村",
              "natural_villages": "自然村", "sites": "站点", "activity_groups": "活动小组",
              "contact_links": "联系", "groups": "联系选民群", "voters": "选民",
              "bound_voters": "已绑定微信的选民", "bound_deputies": "已绑定微信的代表"}
LEVEL_NAMES = {"city": "市", "county": "县", "township": "乡"}
# What each check's items are, so a page can link to the record to fix.
CHECK_KINDS = {"city_without_county": "deputy", "county_without_township": "deputy",
               "township_without_constituency": "deputy", "stationed_not_ten": "deputy",
               "voters_without_group": "voter", "groups_deputy_unbound": "group"}


def _holders(session: Session, level: str):
    return select(Deputy).join(Mandate, Mandate.deputy_id == Deputy.id).where(Mandate.level == level)


def check(session: Session) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {k: [] for k in CHECKS}
    for level, layer, key in (("city", "city_county", "city_without_county"),
                              ("county", "county_township", "county_without_township")):
        linked = select(ContactLink.from_deputy_id).where(ContactLink.layer == layer)
        for d in session.scalars(_holders(session, level).where(Deputy.id.not_in(linked)).order_by(Deputy.code)):
            out[key].append({"code": d.code, "name": d.name})
    for d in session.scalars(_holders(session, "township").where(Mandate.constituency_id.is_(None))
                             .order_by(Deputy.code)):
        out["township_without_constituency"].append({"code": d.code, "name": d.name})
    members = (select(VoterGroup.deputy_id, func.count(Voter.id).label("n"))
               .join(Voter, Voter.group_id == VoterGroup.id)
               .where(VoterGroup.active.is_(True)).group_by(VoterGroup.deputy_id).subquery())
    rows = session.execute(select(Deputy, func.coalesce(members.c.n, 0))
                           .outerjoin(members, members.c.deputy_id == Deputy.id)
                           .where(Deputy.site_id.is_not(None), Deputy.active.is_(True)).order_by(Deputy.code))
    for d, n in rows:
        if n != FIXED_VOTERS:
            out["stationed_not_ten"].append({"code": d.code, "name": d.name, "fixed_voters": n})
    for v in session.scalars(select(Voter).where(Voter.code.is_not(None), Voter.group_id.is_(None))
                             .order_by(Voter.code)):
        out["voters_without_group"].append({"code": v.code, "name": v.name})
    for g in session.scalars(select(VoterGroup).join(Deputy, VoterGroup.deputy_id == Deputy.id)
                             .where(VoterGroup.active.is_(True),
                                    (Deputy.openid.is_(None)) | (Deputy.subscribed.is_(False)))
                             .order_by(VoterGroup.code)):
        out["groups_deputy_unbound"].append({"code": g.code, "name": g.name, "deputy": g.deputy.code})
    return out


def _count(session: Session, query) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def stats(session: Session) -> dict[str, object]:
    by_level = dict(session.execute(select(Mandate.level, func.count(Mandate.id)).group_by(Mandate.level)).all())
    cross = select(Mandate.deputy_id).group_by(Mandate.deputy_id).having(func.count(Mandate.id) > 1)
    return {
        "townships": _count(session, select(Township.id)),
        "people": _count(session, select(Deputy.id)),
        "mandates": sum(by_level.values()),
        "mandates_by_level": {level: by_level.get(level, 0) for level in ("city", "county", "township")},
        "cross_serving": _count(session, cross),
        "constituencies": _count(session, select(Constituency.id)),
        "villages": _count(session, select(Village.id)),
        "natural_villages": _count(session, select(NaturalVillage.id)),
        "sites": _count(session, select(Site.id)),
        "activity_groups": _count(session, select(ActivityGroup.id)),
        "contact_links": _count(session, select(ContactLink.id)),
        "groups": _count(session, select(VoterGroup.id)),
        "voters": _count(session, select(Voter.id)),
        "bound_voters": _count(session, select(Voter.id).where(Voter.openid.is_not(None))),
        "bound_deputies": _count(session, select(Deputy.id).where(Deputy.openid.is_not(None))),
    }


def problem_counts(session: Session) -> list[tuple[str, str, int]]:
    """(key, heading, how many) for each check of `check`, in CHECKS order: the dashboard's "3+10" health."""
    found = check(session)
    return [(key, heading, len(found[key])) for key, heading in CHECKS.items()]
