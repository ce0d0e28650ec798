"""The one after-commit path: commit a unit of work, then enqueue what it
left to do. Here, not on the Liaison extension, because turning pushes into
DELIVER_PUSH jobs needs the job names, and bot.jobs already imports the
extension."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..services.outcome import Outcome
from . import DELIVER_PUSH

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..extensions import Liaison


def commit(ext: Liaison, session: Session, outcome: Outcome | None = None) -> Outcome:
    """Commit, and only then enqueue the outcome's pushes and jobs. A failed
    commit raises before anything is enqueued; a follow-up that cannot be
    enqueued stays pending in the outbox for the sweep (ext.enqueue never raises)."""
    outcome = Outcome() if outcome is None else outcome
    session.commit()
    for push_id in outcome.push_ids:
        ext.enqueue(DELIVER_PUSH, push_id)
    for name, args in outcome.jobs:
        ext.enqueue(name, *args)
    return outcome
