"""The rules of the lifecycle without a database: the transition table and
how deputies' commands are read."""
from __future__ import annotations

import pytest

from bot.models import OPEN_STATUSES, TICKET_STATUSES
from bot.services.tickets import desk, lifecycle, ratings
from bot.services.tickets.desk import Command, match_office, parse


def test_every_transition_starts_and_ends_in_a_known_status():
    for action, (sources, target) in lifecycle.TRANSITIONS.items():
        assert target in TICKET_STATUSES, action
        assert sources <= set(TICKET_STATUSES), action
        assert action in lifecycle.EVENT_KINDS


@pytest.mark.parametrize("status", ["resolved", "rated", "closed", "merged", "rejected"])
def test_finished_tickets_take_no_deputy_action(status):
    for action in ("accept", "reply", "transfer", "escalate", "resolve", "return"):
        assert status not in lifecycle.TRANSITIONS[action][0]


def test_only_a_resolved_ticket_can_be_rated_and_closed_ones_never_reopen():
    assert lifecycle.TRANSITIONS["rate"][0] == {"resolved"}
    assert "closed" not in lifecycle.TRANSITIONS["reopen"][0]
    assert set(OPEN_STATUSES) >= lifecycle.WORKING | {"new", "reopened"}


@pytest.mark.parametrize("text, command", [
    ("受理 123", Command("受理", None, 123, "")),
    ("受理123", Command("受理", None, 123, "")),
    ("受理１２３", Command("受理", None, 123, "")),
    ("　受理　１２３。", Command("受理", None, 123, "")),
    ("受理：123", Command("受理", None, 123, "")),
    ("受理 2026-000123", Command("受理", 2026, 123, "")),
    ("受理 ２０２６－０００１２３", Command("受理", 2026, 123, "")),
    ("回复 123 已联系水务站，明天上午来修", Command("回复", None, 123, "已联系水务站，明天上午来修")),
    ("回复123：已联系水务站", Command("回复", None, 123, "已联系水务站")),
    ("办结 2026—000123 已修复通水", Command("办结", 2026, 123, "已修复通水")),
    ("上报 123 县医院收费问题", Command("上报", None, 123, "县医院收费问题")),
    ("我的工单", Command("我的工单")),
    ("我的 工单", Command("我的工单")),
    ("帮助", Command("帮助")),
    ("回复一下我", Command("回复")),  # a command word, but no number: usage help for deputies
])
def test_commands_are_read_forgivingly(text, command):
    assert parse(text) == command


@pytest.mark.parametrize("text", ["村里自来水停了三天了", "我想受理一下", "5", "", "帮我看看"])
def test_other_messages_are_not_commands(text):
    assert parse(text) is None


def test_office_names_match_exactly_or_by_one_unique_part():
    offices = ("水务站", "民政办", "农业综合服务中心", "中心学校（教育办）")
    assert match_office(offices, "水务站") == "水务站"
    assert match_office(offices, "农业综合") == "农业综合服务中心"
    assert match_office(offices, "教育办") == "中心学校（教育办）"
    assert match_office(offices, "中心") is None  # two offices contain it
    assert match_office(offices, "火星办事处") is None


@pytest.mark.parametrize("text, expected", [
    ("5", (5, "")), ("5分", (5, "")), ("５ 修得很快", (5, "修得很快")), ("1，太慢了", (1, "太慢了")),
    ("满意", (4, "")), ("基本满意，就是慢了点", (3, "就是慢了点")), ("很不满意", (1, "")), ("不满意!", (2, "")),
    ("村里路灯坏了", None), ("12", None), ("3.5", None), ("3号楼的路灯坏了", None), ("满意度调查什么时候搞", None),
])
def test_ratings_are_read_from_the_start_of_the_message(text, expected):
    assert ratings.leading_score(text) == expected


@pytest.mark.parametrize("text, unsolved", [
    ("没解决", True), ("还没解决，又停水了", True), ("问题没有解决", True), ("没修好", True),
    ("已经解决了，谢谢", False), ("5", False)])
def test_not_solved_is_recognised(text, unsolved):
    assert ratings.says_unsolved(text) is unsolved


def test_label_shows_the_number_as_the_deputy_gave_it():
    assert desk.Command("受理", 2026, 123).label == "2026-000123"
    assert desk.Command("受理", None, 123).label == "123"


@pytest.mark.parametrize("text, extra", [
    ("没解决", ""), ("还是没解决", ""), ("问题没有解决", ""), ("没解决！！", ""), ("没解决啊", ""), ("没解决，还是没解决", ""),
    ("没解决，水还是不通", "没解决，水还是不通"), ("还没解决，又停水了", "还没解决，又停水了"),
])
def test_a_reopen_says_something_more_only_beyond_the_phrase(text, extra):
    assert ratings.says_unsolved(text)
    assert ratings.beyond_unsolved(text) == extra
