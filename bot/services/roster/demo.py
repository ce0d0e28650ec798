"""The demo township of the source report, with generated names.

One township, 15 administrative villages with 38 natural villages, 1 station + 3 points, 51 deputies holding 2 city, 9 county and
44 township mandates (4 people hold two), "3+10" links, and a fixed-voter
group of 10 for every deputy stationed at a site, 3 activity groups. Every
deputy and fixed voter gets a synthetic openid so pushes show up in the
sandbox, and (given a PhoneBox) a synthetic phone number, stored encrypted.
"""
from __future__ import annotations

import random
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import (ActivityGroup, Constituency, ContactLink, Deputy, Mandate, NaturalVillage, Site,
                       Township, Village, Voter, VoterGroup)
from .phones import PhoneBox

SITES = [  # code, kind, name, address, brand, reception day
    ("station", "station", "乡人大代表联络站", "乡政府一楼", "代表之家", 20),
    ("shanfu", "point", "善福联络点", "善福村商业街", "商贸服务点", 10),
    ("shangfeng", "point", "上丰联络点", "上丰村居民区", "便民聊天室", 10),
    ("qilijiao", "point", "七里脚联络点", "七里脚村企业旁", "企业联络窗口", 10),
]
VILLAGES = {  # site code -> villages it serves
    "station": ["新民村", "东庄村", "西庄村", "南岭村", "北坡村", "王家堡村"],
    "shanfu": ["善福村", "河东村", "河西村"],
    "shangfeng": ["上丰村", "下丰村", "柳树湾村"],
    "qilijiao": ["七里脚村", "杨家庄村", "石桥村"],
}
NATURAL_SUFFIXES = ("东庄", "西庄", "后沟")  # 8 villages have 3 natural villages, 7 have 2: 38
ACTIVITY_GROUPS = ("第一代表活动小组", "第二代表活动小组", "第三代表活动小组")
STATIONED = {"station": 6, "shanfu": 4, "shangfeng": 4, "qilijiao": 4}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国华明丽军红英伟芳强敏静秀兰海霞平刚桂玉春林云志勇凤梅德福贵成文杰娟淑珍荣"
DEMO_VOTER = "oDEMO_voter_01_01"  # the default `liaison simulate --as`


class RosterNotEmpty(Exception):
    pass


def _names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _phone(rng: random.Random) -> str:
    return "13" + "".join(str(rng.randrange(10)) for _ in range(9))


def seed(session: Session, rng_seed: int = 2026, box: PhoneBox | None = None) -> dict[str, int]:
    if session.scalar(select(func.count(Deputy.id))) or session.scalar(select(func.count(Site.id))):
        raise RosterNotEmpty("roster is not empty: demo seed only fills an empty database")
    rng = random.Random(rng_seed)
    phone_rng = random.Random(rng_seed + 2)
    now = datetime.now(timezone.utc)
    township = Township(code="demo", name="示范乡")
    session.add(township)
    sites = {code: Site(code=code, kind=kind, name=name, address=addr, brand=brand, reception_day=day)
             for code, kind, name, addr, brand, day in SITES}
    session.add_all(sites.values())
    session.flush()

    villages: list[Village] = []
    for site_code, names in VILLAGES.items():
        for name in names:
            const = Constituency(code=f"T{len(villages) + 1:02d}", name=f"{name}选区", level="township")
            session.add(const)
            session.flush()
            villages.append(Village(code=f"V{len(villages) + 1:02d}", name=name, township_id=township.id,
                                    site_id=sites[site_code].id, constituency_id=const.id))
    session.add_all(villages)
    session.flush()
    naturals: dict[int, list[NaturalVillage]] = {}
    for i, village in enumerate(villages):
        for suffix in NATURAL_SUFFIXES[:3 if i < 8 else 2]:
            nv = NaturalVillage(code=f"{village.code}-{len(naturals.get(village.id, [])) + 1}",
                                name=village.name.removesuffix("村") + suffix, village_id=village.id)
            naturals.setdefault(village.id, []).append(nv)
            session.add(nv)
    activity = [ActivityGroup(code=f"A{i}", name=name) for i, name in enumerate(ACTIVITY_GROUPS, start=1)]
    session.add_all(activity)
    county_consts = [Constituency(code=f"C{i}", name=f"县第{i}选区", level="county") for i in (1, 2, 3)]
    city_const = Constituency(code="M1", name="市人大本县选区", level="city")
    session.add_all(county_consts + [city_const])
    session.flush()

    # People: 1 city, 1 city+county, 5 county, 3 county+township, 41 township = 51.
    plan = [("city",)] + [("city", "county")] + [("county",)] * 5 + [("county", "township")] * 3 \
        + [("township",)] * 41
    names = _names(rng, len(plan))
    deputies: list[Deputy] = []
    for i, (levels, name) in enumerate(zip(plan, names), start=1):
        dep = Deputy(code=f"D{i:03d}", name=name,
                     openid=f"oDEMO_deputy_{i:03d}", active=True, subscribed=True,
                     activity_group_id=activity[(i - 1) % len(activity)].id)
        if box is not None:
            box.store(dep, _phone(phone_rng))
        session.add(dep)
        session.flush()
        for level in levels:
            if level == "township":
                const = villages[(i - 1) % len(villages)].constituency_id
            elif level == "county":
                const = county_consts[i % 3].id
            else:
                const = city_const.id
            session.add(Mandate(deputy_id=dep.id, level=level, constituency_id=const))
        deputies.append(dep)
    session.flush()

    def holders(level: str) -> list[Deputy]:
        return [d for d, levels in zip(deputies, plan) if level in levels]

    city, county, township = holders("city"), holders("county"), holders("township")
    links = 0
    for layer, upper, lower in (("city_county", city, county), ("county_township", county, township)):
        targets = [d for d in lower]
        for j, target in enumerate(targets):
            source = upper[j % len(upper)]
            if source.id == target.id:  # a cross-serving person does not contact themself
                source = upper[(j + 1) % len(upper)]
            session.add(ContactLink(layer=layer, from_deputy_id=source.id, to_deputy_id=target.id))
            links += 1

    # Stationed deputies (township mandates first) each keep a group of 10 fixed voters.
    pool = iter(township[3:] + county)
    voter_names = _names(random.Random(rng_seed + 1), 10 * sum(STATIONED.values()))
    groups = voters = 0
    for site_code, count in STATIONED.items():
        site = sites[site_code]
        site_villages = [v for v in villages if v.site_id == site.id]
        for _ in range(count):
            dep = next(pool)
            dep.site_id = site.id
            groups += 1
            group = VoterGroup(code=f"G{groups:02d}", name=f"{dep.name}代表联系选民群", deputy_id=dep.id,
                               site_id=site.id)
            session.add(group)
            session.flush()
            for n in range(1, 11):
                village = site_villages[(n - 1) % len(site_villages)]
                nv = naturals[village.id][n % len(naturals[village.id])]
                voter = Voter(code=f"M{groups:02d}{n:02d}", openid=f"oDEMO_voter_{groups:02d}_{n:02d}",
                              name=voter_names[voters], village_id=village.id, natural_village_id=nv.id,
                              group_id=group.id, site_id=site.id, subscribed=True, created_at=now,
                              bound_at=now)
                if box is not None:
                    box.store(voter, _phone(phone_rng))
                session.add(voter)
                voters += 1
    session.flush()
    return {"sites": len(sites), "villages": len(villages),
            "natural_villages": sum(len(v) for v in naturals.values()),
            "activity_groups": len(activity), "deputies": len(deputies),
            "mandates": sum(len(p) for p in plan), "city": len(city), "county": len(county),
            "township": len(township), "cross_serving": sum(1 for p in plan if len(p) > 1),
            "contact_links": links, "groups": groups, "voters": voters}
