"""The database is down when a voter writes: the message is kept on disk,
answered, and becomes a ticket once the database is back. Nothing is lost,
nothing is handled twice."""
from __future__ import annotations

import os
import stat

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot import dedupe
from bot.extensions import make_engine
from bot.models import InboundMessage, Ticket
from bot.services import texts
from bot.web import spool, webhook
from wechat_user import Phone


class Kicks:
    """Stands in for the background replayer: counts the wake-ups."""

    def __init__(self) -> None:
        self.count = 0

    def kick(self) -> None:
        self.count += 1


def database_down(ext, tmp_path):
    """Point the app at a database file that cannot be opened (a real connection failure)."""
    working = ext.Session
    ext.Session = sessionmaker(make_engine(f"sqlite:///{tmp_path}/missing/dir/liaison.db"))
    return working


def count(ext, model) -> int:
    with ext.Session() as s:
        return s.scalar(select(func.count(model.id)))


def test_a_message_sent_while_the_database_is_down_becomes_one_ticket_once_it_is_back(app, ext, tmp_path):
    ext.spool_replayer = kicks = Kicks()
    phone = Phone(app, "oVoterSpool")
    working = database_down(ext, tmp_path)

    answer = phone.says("村口的桥裂了", msg_id=7770001)
    assert answer.status == 200 and answer.text == texts.SPOOLED
    retry = phone.says("村口的桥裂了", msg_id=7770001)  # WeChat retries: same message, same spool file
    assert retry.status == 200
    files = spool.waiting(ext.settings["INSTANCE_PATH"])
    assert len(files) == 1 and kicks.count == 2
    # Personal data: only the service's user may read it.
    assert stat.S_IMODE(os.stat(os.path.dirname(files[0])).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    # The fast dedupe path does not claim a message that is not stored yet.
    assert not ext.redis.exists(dedupe.PREFIX + "oVoterSpool:7770001")

    ext.Session = working
    assert spool.replay(ext.settings["INSTANCE_PATH"], lambda m: webhook.settle(ext, m)) == 1
    assert spool.waiting(ext.settings["INSTANCE_PATH"]) == []
    assert count(ext, Ticket) == 1 and count(ext, InboundMessage) == 1
    # A late retry from WeChat gets the stored reply and makes nothing new.
    late = phone.says("村口的桥裂了", msg_id=7770001)
    assert late.status == 200 and late.text.startswith("已收到您的意见")
    assert count(ext, Ticket) == 1


def test_a_spooled_message_already_stored_by_a_retry_is_settled_without_a_second_ticket(app, ext, tmp_path):
    ext.spool_replayer = Kicks()
    phone = Phone(app, "oVoterSpool2")
    working = database_down(ext, tmp_path)
    assert phone.says("水渠堵了", msg_id=7770002).status == 200
    ext.Session = working
    assert phone.says("水渠堵了", msg_id=7770002).text.startswith("已收到您的意见")  # the retry came first
    spool.replay(ext.settings["INSTANCE_PATH"], lambda m: webhook.settle(ext, m))
    assert spool.waiting(ext.settings["INSTANCE_PATH"]) == []
    assert count(ext, Ticket) == 1


def test_replay_stops_while_the_database_is_still_down_and_keeps_the_file(app, ext, tmp_path):
    ext.spool_replayer = Kicks()
    database_down(ext, tmp_path)
    assert Phone(app, "oVoterSpool3").says("路灯不亮", msg_id=7770003).status == 200
    assert spool.replay(ext.settings["INSTANCE_PATH"], lambda m: webhook.settle(ext, m)) == 0
    assert len(spool.waiting(ext.settings["INSTANCE_PATH"])) == 1


def test_when_the_spool_cannot_be_written_either_the_answer_is_503_so_wechat_retries(app, ext, tmp_path):
    ext.spool_replayer = Kicks()
    with open(os.path.join(ext.settings["INSTANCE_PATH"], "spool"), "w") as fh:
        fh.write("not a folder")
    database_down(ext, tmp_path)
    assert Phone(app, "oVoterSpool4").says("停电了", msg_id=7770004).status == 503
