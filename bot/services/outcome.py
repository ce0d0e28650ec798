"""What a unit of work leaves for after its commit: the reply to the person
who wrote, the ticket it concerns, the pushes to deliver and any other jobs.
Services and handlers return it; the caller commits once, then enqueues
(bot/jobs/commit.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ..models import OutboundPush


@dataclass
class Outcome:
    reply: str | None = None
    ticket_id: int | None = None
    # Outbox rows to deliver (each one a DELIVER_PUSH job after the commit).
    push_ids: list[int] = field(default_factory=list)
    # Other jobs as (name from bot.jobs, args).
    jobs: list[tuple[str, tuple]] = field(default_factory=list)

    def add_pushes(self, pushes: Iterable[OutboundPush | None]) -> Outcome:
        """None means nothing was queued (pushed before, nobody to tell): skipped."""
        self.push_ids += [p.id for p in pushes if p is not None]
        return self

    def add_job(self, name: str, *args: Any) -> Outcome:
        self.jobs.append((name, args))
        return self
