"""The yearly evaluation of one deputy (考评): the self-assessment (自评), the
voters' rating (选民测评, services/duty/poll.py) and the organisation's
assessment (组织评定), weighted by the DUTY_WEIGHTS setting into one score."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import GRADES, Deputy, DutyEvaluation
from . import poll
from .activities import DutyError

PARTS = ("self", "voters", "org")
PART_NAMES = {"self": "自评", "voters": "选民测评", "org": "组织评定"}
MAX_TEXT = 1000
# A grade given without a score counts as this score; a score without a grade gets the grade of its band.
GRADE_POINTS = {"优秀": 95, "称职": 80, "基本称职": 65, "不称职": 40}
BANDS = ((90, "优秀"), (70, "称职"), (60, "基本称职"), (0, "不称职"))


def grade_of(score: int) -> str:
    return next(g for floor, g in BANDS if score >= floor)


def check(score: int | str | None, grade: str | None, text: str | None) -> tuple[int, str, str]:
    """(score, grade, text) from a form: at least a score or a grade."""
    grade = (grade or "").strip() or None
    if grade is not None and grade not in GRADES:
        raise DutyError(f"等次只能是：{'、'.join(GRADES)}")
    if score in (None, ""):
        value = None
    else:
        try:
            value = int(str(score).strip())
        except ValueError:
            raise DutyError("分数要写 0 到 100 的整数") from None
        if not 0 <= value <= 100:
            raise DutyError("分数要在 0 到 100 之间")
    if value is None and grade is None:
        raise DutyError("请填写分数或选择等次")
    body = (text or "").strip()
    if len(body) > MAX_TEXT:
        raise DutyError(f"评价内容太长了（最多 {MAX_TEXT} 个字）")
    if value is None:
        value = GRADE_POINTS[grade]  # type: ignore[index]
    return value, grade or grade_of(value), body


def row(session: Session, deputy: Deputy, year: int, create: bool = False) -> DutyEvaluation | None:
    found = session.scalar(select(DutyEvaluation).where(DutyEvaluation.deputy_id == deputy.id,
                                                        DutyEvaluation.year == year))
    if found is None and create:
        found = DutyEvaluation(deputy_id=deputy.id, year=year, self_text="", org_text="")
        session.add(found)
    return found


def assess(session: Session, deputy: Deputy, year: int, part: str, *, score: int | str | None, grade: str | None,
           text: str | None, by: str, now: datetime) -> DutyEvaluation:
    """Enter the self-assessment (part "self": by the deputy, or staff on their
    behalf) or the organisation's (part "org": staff); a later entry replaces
    the earlier and says who and when."""
    if part not in ("self", "org"):
        raise ValueError(part)
    value, grade_, body = check(score, grade, text)
    found = row(session, deputy, year, create=True)
    assert found is not None
    setattr(found, f"{part}_score", value)
    setattr(found, f"{part}_grade", grade_)
    setattr(found, f"{part}_text", body)
    setattr(found, f"{part}_by", by[:64])
    setattr(found, f"{part}_at", now)
    session.flush()
    return found


@dataclass
class Combined:
    parts: dict[str, float | None]  # 0-100 each, None when missing
    total: float | None
    missing: list[str]  # Chinese names of the missing parts
    grade: str | None

    @property
    def note(self) -> str:
        if self.total is None:
            return "三项都没有，无法计算"
        if self.missing:
            return f"缺{'、'.join(self.missing)}，按其余各项的权重折算"
        return "三项齐全"


def combine(parts: dict[str, float | None], weights: dict[str, float]) -> Combined:
    """The weighted total of the parts present; missing parts are left out and
    the others' weights scaled up, so a deputy with fewer than 5 votes still has a total."""
    present = {p: v for p, v in parts.items() if v is not None}
    weight = sum(weights[p] for p in present)
    total = round(sum(weights[p] * v for p, v in present.items()) / weight, 1) if weight > 0 else None
    missing = [PART_NAMES[p] for p in PARTS if parts.get(p) is None]
    return Combined(parts, total, missing, grade_of(round(total)) if total is not None else None)


def evaluate(session: Session, deputy: Deputy, year: int, weights: dict[str, float],
             tally: poll.Tally | None = None) -> tuple[DutyEvaluation | None, poll.Tally, Combined]:
    """One deputy's three parts and the weighted total."""
    found = row(session, deputy, year)
    if tally is None:
        tally = poll.results(session, year, [deputy])[0]
    parts = {"self": float(found.self_score) if found and found.self_score is not None else None,
             "voters": tally.score,
             "org": float(found.org_score) if found and found.org_score is not None else None}
    return found, tally, combine(parts, weights)


def station(session: Session, year: int, weights: dict[str, float]) -> list[tuple[Deputy, DutyEvaluation | None,
                                                                                   poll.Tally, Combined]]:
    """Every deputy in office: their evaluation, poll tally and total."""
    deputies = list(session.scalars(select(Deputy).where(Deputy.active.is_(True)).order_by(Deputy.code)))
    tallies = {t.deputy_id: t for t in poll.results(session, year, deputies)}
    out = []
    for d in deputies:
        found, tally, total = evaluate(session, d, year, weights, tallies[d.id])
        out.append((d, found, tally, total))
    return out
