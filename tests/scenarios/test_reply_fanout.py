"""A deputy's reply is written to the voter who reported first: it may hold
their address. Neighbours whose reports were merged into the ticket hear that
there is news, and the reply itself only when the deputy sends "回复全部"."""
from __future__ import annotations

from bot.services import texts
from lifecycle_kit import VOTER, deputy_of, number_in, ticket
from wechat_user import Phone

NEIGHBOUR = "oDEMO_voter_12_04"  # 上丰村, like VOTER
REPLY = "水务站明天去村东头12号吴建国家门口修水管"


def test_a_merged_neighbour_gets_news_not_the_reply_until_the_deputy_replies_to_all(app, ext, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 3600
    second = number_in(Phone(app, NEIGHBOUR).says("村里自来水也停了好几天了").text)
    assert ticket(db, second).duplicate_of_id == ticket(db, first).id
    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {first}")
    seq = int(first.split("-")[1])

    told = desk.says(f"回复 {first} {REPLY}").text
    assert told == texts.DEPUTY_REPLIED_FIRST_ONLY.format(number=first, n=1, short=seq, total=2)
    assert f"回复全部 {seq}" in told
    assert inbox.last(VOTER) == texts.VOTER_REPLIED.format(deputy=deputy.name, number=first, text=REPLY)
    news = inbox.last(NEIGHBOUR)
    assert news == texts.VOTER_LINKED_NEWS.format(number=second, status="已答复", deputy=deputy.name)
    assert "12号" not in news and "吴建国" not in news
    assert all(REPLY not in e.note for e in ticket(db, second).events)

    told = desk.says(f"回复全部 {seq} 水务站明天统一抢修全村水管").text
    assert told == texts.DEPUTY_REPLIED_ALL.format(number=first, n=1)
    assert inbox.last(NEIGHBOUR) == texts.VOTER_REPLIED.format(deputy=deputy.name, number=second,
                                                               text="水务站明天统一抢修全村水管")


def test_a_reply_to_a_ticket_on_its_own_says_nothing_of_others(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {number}")
    assert desk.says(f"回复 {number} {REPLY}").text == texts.DEPUTY_REPLIED.format(number=number)
    assert desk.says("回复全部").text == texts.DEPUTY_USAGE.format(usage=texts.DEPUTY_USAGES["回复全部"])


RESULT = "水务站已经把村东头12号吴建国家门口的水管修好了"


def _merged(app, ext, db):
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 3600
    second = number_in(Phone(app, NEIGHBOUR).says("村里自来水也停了好几天了").text)
    assert ticket(db, second).duplicate_of_id == ticket(db, first).id
    desk = Phone(app, deputy_of(db, VOTER).openid)
    desk.says(f"受理 {first}")
    return first, second, desk


def test_a_merged_neighbour_hears_the_ticket_is_resolved_but_not_the_result(app, ext, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    first, second, desk = _merged(app, ext, db)
    seq = int(first.split("-")[1])
    told = desk.says(f"办结 {first} {RESULT}").text
    assert told == texts.DEPUTY_RESOLVED_FIRST_ONLY.format(number=first, n=1, short=seq, total=2)
    assert f"办结全部 {seq}" in told
    assert inbox.last(VOTER) == texts.VOTER_RESOLVED.format(number=first, result=RESULT, days=7)
    news = inbox.last(NEIGHBOUR)
    assert news == texts.VOTER_LINKED_RESOLVED.format(number=second, deputy=deputy.name, days=7)
    assert "12号" not in news and "吴建国" not in news and texts.RATING_ASK in news
    theirs = ticket(db, second)
    assert theirs.status == "resolved" and theirs.events[-1].note == f"见 {first}"
    assert all(RESULT not in e.note for e in theirs.events)


def test_resolving_for_all_sends_the_result_word_for_word_to_the_neighbours(app, ext, demo, db, inbox):
    first, second, desk = _merged(app, ext, db)
    seq = int(first.split("-")[1])
    assert desk.says(f"办结全部 {seq} 全村水管已统一更换").text == texts.DEPUTY_RESOLVED_ALL.format(number=first, n=1)
    assert inbox.last(NEIGHBOUR) == texts.VOTER_RESOLVED.format(number=second, result="全村水管已统一更换", days=7)
    assert ticket(db, second).status == "resolved" and ticket(db, first).status == "resolved"
    assert desk.says("办结全部").text == texts.DEPUTY_USAGE.format(usage=texts.DEPUTY_USAGES["办结全部"])
