"""The one after-commit path: follow-ups are enqueued only once the commit succeeded."""
from __future__ import annotations

import pytest

from bot.jobs import DELIVER_PUSH, FETCH_MEDIA
from bot.jobs.commit import commit
from bot.services.outcome import Outcome


class FakeExt:
    def __init__(self, log: list) -> None:
        self.log = log

    def enqueue(self, name: str, *args) -> None:
        self.log.append(("enqueue", name, args))


class FakeSession:
    def __init__(self, log: list, fails: bool = False) -> None:
        self.log, self.fails = log, fails

    def commit(self) -> None:
        if self.fails:
            raise RuntimeError("database went away")
        self.log.append(("commit",))


def test_pushes_and_jobs_are_enqueued_after_the_commit():
    log: list = []
    outcome = Outcome("好的", 7, push_ids=[3, 4]).add_job(FETCH_MEDIA, 7, "m1")
    assert commit(FakeExt(log), FakeSession(log), outcome) is outcome
    assert log == [("commit",), ("enqueue", DELIVER_PUSH, (3,)), ("enqueue", DELIVER_PUSH, (4,)),
                   ("enqueue", FETCH_MEDIA, (7, "m1"))]


def test_nothing_is_enqueued_when_the_commit_fails():
    log: list = []
    with pytest.raises(RuntimeError):
        commit(FakeExt(log), FakeSession(log, fails=True), Outcome(push_ids=[1], jobs=[(FETCH_MEDIA, (1, "m"))]))
    assert log == []


def test_a_commit_without_follow_ups_only_commits():
    log: list = []
    assert commit(FakeExt(log), FakeSession(log)) == Outcome()
    assert log == [("commit",)]


def test_pushes_not_queued_are_skipped():
    class Push:
        def __init__(self, id: int) -> None:
            self.id = id

    assert Outcome().add_pushes([Push(5), None, Push(6)]).push_ids == [5, 6]
