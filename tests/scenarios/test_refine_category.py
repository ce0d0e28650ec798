"""A message the classifier is unsure of gets a second look a moment later: the
voter's reply does not wait for it, a worker asks the refiner (here a fake:
the real one is the full sentence encoder, tests/unit/nlp/test_nlp_refine.py)
and moves the ticket to the refined category and its office. The deputy hears
of it only when where the matter should go changed; a ticket a person already
moved is left alone; a second run does nothing."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.jobs import REFINE_CATEGORY, tasks
from bot.models import OutboundPush, Ticket, TicketEvent
from bot.services import texts
from lifecycle_kit import VOTER, Inbox, build, deputy_of, number_in, ticket
from wechat_user import Phone

VAGUE = "老年人的事情要多关心"  # the fast model cannot tell which office this is for
WATER = "水库的水管的事"  # 城乡建设 or 农村农业: the water station either way


@dataclass(frozen=True)
class Answer:
    category: str
    confidence: float
    needs_triage: bool


class FakeRefiner:
    """A deterministic stand-in for bot.nlp.refine.Refiner: a fixed answer per text."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.asked: list[str] = []

    def says(self, text: str, category: str, confidence: float = 0.97, needs_triage: bool = False) -> None:
        self.answers[text] = Answer(category, confidence, needs_triage)

    def refine(self, text: str) -> Answer:
        self.asked.append(text)
        return self.answers[text]


@pytest.fixture
def refiner():
    return FakeRefiner()


@pytest.fixture
def app(make_app, refiner):
    return build(make_app, REFINE_CATEGORY="on", REFINER=refiner)


def cli(app, *args):
    return app.test_cli_runner().invoke(main, list(args), obj=State(app=app))


def unsure_ticket(app, db, text):
    """The voter says `text`; its ticket waits in triage with the fast model's category."""
    number = number_in(Phone(app, VOTER).says(text).text)
    t = ticket(db, number)
    assert t.needs_triage and t.deputy_id is not None, "the fast model was sure: pick a vaguer message"
    assert (REFINE_CATEGORY, (t.id,)) in app.extensions["liaison"].queue.items
    return number, t.category, t.office


def refined_events(db, ticket_id):
    return db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                TicketEvent.kind == "refined")).all()


def test_a_vague_opinion_is_moved_to_the_county_office_and_its_deputy_told_once(app, ext, demo, db, refiner):
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    number, first, _ = unsure_ticket(app, db, VAGUE)
    refiner.says(VAGUE, "科技与信息产业")  # the county's office, whatever the fast model said

    told = inbox(deputy.openid)
    t = ticket(db, number)
    assert (t.category, t.office, t.level, t.needs_triage) == ("科技与信息产业", "县科技和工业信息化局", "county", False)
    [event] = refined_events(db, t.id)
    assert event.note.startswith(f"分类由 {first} 调整为 科技与信息产业")
    assert "县科技和工业信息化局（县级）" in event.note
    assert told[-1] == texts.DEPUTY_TICKET_REFINED.format(number=number, old=first, category="科技与信息产业",
                                                          office="县科技和工业信息化局", level="县级")
    assert len(told) == 2  # the new ticket, then the change

    # The task delivered again (a worker died after its commit), the refiner now of
    # another mind: nothing more.
    refiner.says(VAGUE, "民政")
    assert tasks.refine_category(ext, t.id) is False
    assert ticket(db, number).category == "科技与信息产业"
    assert len(inbox(deputy.openid)) == 2
    assert len(refined_events(db, t.id)) == 1


def test_a_still_unsure_refinement_keeps_the_ticket_in_the_triage_queue(app, ext, demo, db, refiner):
    inbox = Inbox(app, db)
    number, _, _ = unsure_ticket(app, db, VAGUE)
    refiner.says(VAGUE, "民政", confidence=0.6, needs_triage=True)
    deputy = deputy_of(db, VOTER)
    told = inbox(deputy.openid)
    t = ticket(db, number)
    # A better guess for the staff, moved silently: they still confirm it.
    assert (t.category, t.office, t.needs_triage) == ("民政", "民政办", True)
    assert number in cli(app, "triage", "list").output
    assert len(told) == 1  # only the new ticket: nobody is told of a change the refiner is unsure of
    assert not db.scalars(select(OutboundPush).where(OutboundPush.kind == "ticket_refined")).all()


def test_other_is_never_a_refinement(app, ext, demo, db, refiner):
    inbox = Inbox(app, db)
    number, first, office = unsure_ticket(app, db, VAGUE)
    refiner.says(VAGUE, "其他", confidence=0.3, needs_triage=True)
    inbox(VOTER)
    t = ticket(db, number)
    assert (t.category, t.office, t.needs_triage) == (first, office, True)
    assert not refined_events(db, t.id)


def test_staff_who_correct_while_the_encoder_runs_are_not_overruled(app, ext, demo, db, refiner):
    """The encoder runs outside the transaction: the write checks the ticket is still as it was read."""
    from bot.services.tickets import refine

    number, _, _ = unsure_ticket(app, db, VAGUE)
    t = ticket(db, number)
    with ext.Session() as s:
        assert refine.text_to_refine(s, t.id) == VAGUE  # the worker has read it...
    done = cli(app, "triage", "correct", number, "民政", "--by", "李干事")  # ...a clerk corrects it...
    assert done.exit_code == 0, done.output
    with ext.Session() as s:  # ...and the refiner's answer arrives
        found = refine.apply(s, t.id, refiner_answer("科技与信息产业"), ext.now())
        s.commit()
    assert found.ticket_id is None and not found.push_ids
    db.expire_all()
    assert (ticket(db, number).category, ticket(db, number).office) == ("民政", "民政办")
    assert not refined_events(db, t.id)


def test_a_broken_refiner_leaves_the_fast_category_standing(make_app, caplog):
    class Broken:
        def refine(self, text):
            raise OSError("refiner.npz: truncated")

    app = build(make_app, REFINE_CATEGORY="on", REFINER=Broken())
    ext = app.extensions["liaison"]
    from bot.services.roster.demo import seed

    with ext.Session() as s:
        seed(s, 7)
        s.commit()
    with ext.Session() as db:
        number, first, office = unsure_ticket(app, db, VAGUE)
        t = ticket(db, number)
        assert tasks.refine_category(ext, t.id) is False  # no exception: nothing to retry
        db.expire_all()
        assert (ticket(db, number).category, ticket(db, number).office, ticket(db, number).needs_triage) == (
            first, office, True)
    assert "category refiner failed" in caplog.text


def refiner_answer(category: str) -> Answer:
    return Answer(category, 0.97, False)


def test_a_new_category_for_the_same_office_tells_nobody(app, ext, demo, db, refiner):
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    number, first, office = unsure_ticket(app, db, WATER)
    assert office == "水务站"
    other = "农村农业" if first == "城乡建设" else "城乡建设"
    refiner.says(WATER, other)

    told = inbox(deputy.openid)
    t = ticket(db, number)
    assert (t.category, t.office, t.level) == (other, "水务站", "township")
    [event] = refined_events(db, t.id)
    assert event.note == texts.REFINED_NOTE.format(old=first, new=other)
    assert len(told) == 1  # only the new ticket itself
    assert not db.scalars(select(OutboundPush).where(OutboundPush.kind == "ticket_refined")).all()


def test_the_same_category_changes_nothing_and_tells_nobody(app, ext, demo, db, refiner):
    inbox = Inbox(app, db)
    number, first, office = unsure_ticket(app, db, VAGUE)
    refiner.says(VAGUE, first, needs_triage=True)
    inbox(VOTER)
    t = ticket(db, number)
    assert (t.category, t.office, t.needs_triage) == (first, office, True)
    assert not refined_events(db, t.id)
    assert not db.scalars(select(OutboundPush).where(OutboundPush.kind == "ticket_refined")).all()


def test_staff_who_corrected_the_category_first_are_not_overruled(app, ext, demo, db, refiner):
    inbox = Inbox(app, db)
    number, _, _ = unsure_ticket(app, db, VAGUE)
    refiner.says(VAGUE, "科技与信息产业")
    done = cli(app, "triage", "correct", number, "民政", "--by", "李干事")
    assert done.exit_code == 0, done.output

    inbox(VOTER)  # the worker catches up with the queue
    t = ticket(db, number)
    assert (t.category, t.office) == ("民政", "民政办")
    assert not refined_events(db, t.id)
    assert refiner.asked == []  # not even asked: the staff's word stands


def test_a_ticket_the_deputy_accepted_is_left_alone(app, ext, demo, db, refiner):
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    number, first, _ = unsure_ticket(app, db, VAGUE)
    refiner.says(VAGUE, "科技与信息产业")
    Phone(app, deputy.openid).says(f"受理 {number}")

    inbox(VOTER)
    assert ticket(db, number).category == first
    assert not refined_events(db, ticket(db, number).id)


def test_refining_off_enqueues_nothing(make_app, refiner):
    app = build(make_app, REFINE_CATEGORY="off", REFINER=refiner)
    from bot.services.roster.demo import seed

    ext = app.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 7)
        s.commit()
    assert "已收到您的意见" in Phone(app, VOTER).says(VAGUE).text
    with ext.Session() as db:
        assert db.scalar(select(Ticket.needs_triage))  # unsure: with refining on it would be enqueued
    assert [name for name, _ in ext.queue.items] == ["liaison.deliver_push"]


def test_auto_refines_only_on_a_worker_that_has_the_encoder(make_app, monkeypatch):
    """auto: the webhook enqueues whatever it has installed; each worker decides."""
    import bot.nlp.refine

    app = build(make_app, REFINE_CATEGORY="auto")
    ext = app.extensions["liaison"]
    from bot.services.roster.demo import seed

    with ext.Session() as s:
        seed(s, 7)
        s.commit()
    monkeypatch.setattr(bot.nlp.refine, "available", lambda: False)  # this worker lacks the `refine` extra
    with ext.Session() as db:
        number, first, _ = unsure_ticket(app, db, VAGUE)
        assert tasks.refine_category(ext, ticket(db, number).id) is False
        db.expire_all()
        assert ticket(db, number).category == first and not refined_events(db, ticket(db, number).id)
