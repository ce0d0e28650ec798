"""Typed records -> database rows, by stable key. Flushes, never commits, and
reports created / updated / unchanged per sheet so a re-import is visibly a no-op."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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
from ..phones import PhoneBox
from .spec import BY_NAME, LEVEL_TITLES, Problem
from .validate import Checked, Known, link_layers

MODELS = {"township": Township, "site": Site, "constituency": Constituency, "village": Village,
          "natural_village": NaturalVillage, "activity_group": ActivityGroup, "deputy": Deputy,
          "group": VoterGroup, "voter": Voter}
# Voters' bindings come from WeChat: a blank OpenID cell keeps the binding, never clears it.
# Deputies' are never taken from the file (only a confirmed card binds a deputy).
KEEP_IF_BLANK = {"openid"}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass
class Summary:
    counts: dict[str, Counts] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)  # "站点 shanfu：接待日、品牌"
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # cells not applied, said to staff

    def count(self, title: str) -> Counts:
        return self.counts.setdefault(title, Counts())

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.removed for c in self.counts.values())


def load_known(session: Session) -> Known:
    known = Known()
    for name, model in MODELS.items():
        known.codes[name] = set(session.scalars(select(model.code).where(model.code.is_not(None))))
    for code, level in session.execute(select(Deputy.code, Mandate.level).join(Mandate.deputy)):
        known.deputy_levels.setdefault(code, set()).add(level)
    known.constituency_level = dict(session.execute(select(Constituency.code, Constituency.level)).all())
    known.natural_village_parent = dict(session.execute(
        select(NaturalVillage.code, Village.code).join(Village, NaturalVillage.village_id == Village.id)).all())
    known.deputy_openids = dict(session.execute(
        select(Deputy.openid, Deputy.code).where(Deputy.openid.is_not(None))).all())
    known.voter_openids = dict(session.execute(
        select(Voter.openid, Voter.code).where(Voter.openid.is_not(None))).all())
    return known


class _Writer:
    def __init__(self, session: Session, box: PhoneBox, now: datetime):
        self.session, self.box, self.now = session, box, now
        self.summary = Summary()
        self.rows = {name: {r.code: r for r in session.scalars(select(model).where(model.code.is_not(None)))}
                     for name, model in MODELS.items()}

    def id_of(self, sheet: str, code: object) -> int | None:
        return self.rows[sheet][code].id if code is not None else None

    def flag(self, sheet: str, code: str, value: object) -> bool:
        """A blank 启用/在职 keeps an existing row's value (a revoked QR stays revoked); new rows: yes."""
        if value is not None:
            return bool(value)
        row = self.rows[sheet].get(code)
        return bool(row.active) if row is not None else True

    def put(self, sheet: str, code: str, values: dict[str, object], phone: object = ...) -> tuple[object, bool]:
        """Create or update one row; returns (row, created)."""
        spec = BY_NAME[sheet]
        row = self.rows[sheet].get(code)
        created = row is None
        if created:
            row = MODELS[sheet](code=code)
            self.session.add(row)
            self.rows[sheet][code] = row
        changed = [f for f, v in values.items()
                   if not (f in KEEP_IF_BLANK and v is None) and getattr(row, f) != v]
        for f in changed:
            setattr(row, f, values[f])
        if phone is not ... and (created or self.box.open(row.phone_enc) != phone):
            self.box.store(row, phone)  # type: ignore[arg-type]
            changed.append("phone")
        counts = self.summary.count(spec.title)
        if created:
            counts.created += 1
        elif changed:
            counts.updated += 1
            titles = [_title(spec, f) for f in changed]
            self.summary.changes.append(f"{spec.title} {code}：{'、'.join(dict.fromkeys(titles))}")
        else:
            counts.unchanged += 1
        return row, created


def _title(spec, attr: str) -> str:
    name = attr.removesuffix("_id")
    return next((c.title for c in spec.columns if c.field == name), name)


def apply(session: Session, checked: Checked, box: PhoneBox, now: datetime) -> Summary:
    w = _Writer(session, box, now)
    w.summary.warnings = list(checked.warnings)
    recs = checked.records
    for _, r in recs.get("township", []):
        w.put("township", r["code"], {"name": r["name"]})
    for _, r in recs.get("site", []):
        w.put("site", r["code"], {"kind": r["kind"], "name": r["name"], "address": r["address"] or "",
                                  "reception_day": r["reception_day"], "brand": r["brand"] or ""})
    for _, r in recs.get("constituency", []):
        w.put("constituency", r["code"], {"name": r["name"], "level": r["level"]})
    session.flush()
    for _, r in recs.get("village", []):
        w.put("village", r["code"], {"name": r["name"], "township_id": w.id_of("township", r["township"]),
                                     "site_id": w.id_of("site", r["site"]),
                                     "constituency_id": w.id_of("constituency", r["constituency"])})
    for _, r in recs.get("activity_group", []):
        w.put("activity_group", r["code"], {"name": r["name"]})
    session.flush()
    for _, r in recs.get("natural_village", []):
        w.put("natural_village", r["code"], {"name": r["name"], "village_id": w.id_of("village", r["village"])})
    _deputies(w, recs.get("deputy", []))
    session.flush()
    _links(w, recs.get("link", []))
    for _, r in recs.get("group", []):
        active = w.flag("group", r["code"], r["active"])
        group, _ = w.put("group", r["code"], {"name": r["name"], "deputy_id": w.id_of("deputy", r["deputy"]),
                                              "site_id": w.id_of("site", r["site"]), "active": active})
        group.revoked_at = None if active else (group.revoked_at or now)
    session.flush()
    _voters(w, recs.get("voter", []))
    session.flush()
    return w.summary


def _deputies(w: _Writer, rows: list) -> None:
    people: dict[str, list[dict]] = {}
    for _, r in rows:
        people.setdefault(r["code"], []).append(r)
    counts = w.summary.count("代表·职务")
    for code, mandates in people.items():
        first = next(({k: m[k] for k in m} for m in mandates), {})
        for m in mandates[1:]:  # person fields may be filled on any of their rows
            for k, v in m.items():
                first[k] = first[k] if first[k] is not None else v
        deputy, created = w.put("deputy", code, {
            "name": first["name"], "site_id": w.id_of("site", first["site"]),
            "activity_group_id": w.id_of("activity_group", first["activity_group"]),
            # No "openid": a deputy is bound only by a confirmed card (validate._deputy_openids warns).
            "active": w.flag("deputy", code, first["active"])}, phone=first["phone"])
        if created:  # a binding card is issued when staff print it (liaison qr posters --deputy)
            deputy.subscribed = True
            w.session.flush()
        existing = {m.level: m for m in w.session.scalars(select(Mandate).where(Mandate.deputy_id == deputy.id))}
        wanted = {m["level"]: w.id_of("constituency", m["constituency"]) for m in mandates}
        for level, const_id in wanted.items():
            row = existing.pop(level, None)
            if row is None:
                w.session.add(Mandate(deputy_id=deputy.id, level=level, constituency_id=const_id))
                counts.created += 1
            elif row.constituency_id != const_id:
                row.constituency_id = const_id
                counts.updated += 1
                w.summary.changes.append(f"代表 {code}：{LEVEL_TITLES[level]}级职务的选区")
            else:
                counts.unchanged += 1
        for level, row in existing.items():  # the file lists all of this person's mandates
            w.session.delete(row)
            counts.removed += 1
            w.summary.changes.append(f"代表 {code}：不再担任{LEVEL_TITLES[level]}级代表")


def _links(w: _Writer, rows: list) -> None:
    counts = w.summary.count("联系")
    levels: dict[int, set[str]] = {}
    for dep_id, level in w.session.execute(select(Mandate.deputy_id, Mandate.level)):
        levels.setdefault(dep_id, set()).add(level)
    existing = {(l.from_deputy_id, l.to_deputy_id): l for l in w.session.scalars(select(ContactLink))}
    for _, r in rows:
        upper, lower = w.id_of("deputy", r["upper"]), w.id_of("deputy", r["lower"])
        layers = link_layers(levels.get(upper, set()), levels.get(lower, set())) or ["city_county"]
        layer = layers[0]
        link = existing.get((upper, lower))
        if link is not None and link.layer in layers:
            counts.unchanged += 1
        elif link is None:
            w.session.add(ContactLink(layer=layer, from_deputy_id=upper, to_deputy_id=lower))
            counts.created += 1
        elif link.layer != layer:
            link.layer = layer
            counts.updated += 1
            w.summary.changes.append(f"联系 {r['upper']}→{r['lower']}：层级")


def _voters(w: _Writer, rows: list) -> None:
    for _, r in rows:
        values = {"name": r["name"], "village_id": w.id_of("village", r["village"]),
                  "natural_village_id": w.id_of("natural_village", r["natural_village"]),
                  "group_id": w.id_of("group", r["group"]), "openid": r["openid"]}
        voter, created = w.put("voter", r["code"], values, phone=r["phone"])
        if created:
            voter.created_at = w.now
            voter.subscribed = True
        if r["openid"] and voter.bound_at is None:
            voter.bound_at = w.now
