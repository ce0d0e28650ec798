"""Account rules that need no database: argon2id hashes, the refusals staff
read, and who may act on a ticket (role by role)."""
from __future__ import annotations

import pytest
from argon2 import Type
from argon2.low_level import ARGON2_VERSION
from argon2.profiles import RFC_9106_LOW_MEMORY

from bot.models import Ticket, TicketEvent, User
from bot.services.accounts import ROLES, AccountError, Forbidden, LoginRefused, NotFound
from bot.services.accounts.access import DESK_ACTIONS, can, is_escalated, require
from bot.services.accounts.users import hash_password, verify_password


def test_passwords_are_hashed_with_argon2id_and_verify():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith(f"$argon2id$v={ARGON2_VERSION}$")
    assert "correct horse" not in hashed
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse batterx")
    assert not verify_password("not a hash", "correct horse battery")
    assert RFC_9106_LOW_MEMORY.type is Type.ID  # argon2-cffi's default profile


def test_roles_are_the_four_strings():
    assert ROLES == ("admin", "staff", "county", "deputy")


@pytest.mark.parametrize("cls, base", [(AccountError, ValueError), (LoginRefused, Exception),
                                       (NotFound, LookupError), (Forbidden, PermissionError)])
def test_refusals_carry_their_chinese_message(cls, base):
    exc = cls("没有找到编号为 5 的工单")
    assert isinstance(exc, base)
    assert exc.message == str(exc) == "没有找到编号为 5 的工单"
    assert cls().message  # a default, never empty


def _user(role: str, deputy_id: int | None = None, active: bool = True) -> User:
    return User(username=role, role=role, deputy_id=deputy_id, active=active)


def _ticket(deputy_id: int | None = 1, escalated_to_id: int | None = None, kinds: tuple[str, ...] = ()) -> Ticket:
    events = [TicketEvent(id=i, kind=kind, actor="x") for i, kind in enumerate(kinds, start=1)]
    return Ticket(number="2026-000001", deputy_id=deputy_id, escalated_to_id=escalated_to_id, events=events)


def test_staff_and_admin_may_do_everything():
    for role in ("admin", "staff"):
        assert all(can(_user(role), action, _ticket()) for action in DESK_ACTIONS)
    assert not any(can(_user("staff", active=False), action, _ticket()) for action in DESK_ACTIONS)


def test_a_deputy_acts_on_their_own_tickets_but_never_assigns_merges_or_reclassifies():
    mine, theirs, up_to_me = _ticket(deputy_id=7), _ticket(deputy_id=8), _ticket(deputy_id=8, escalated_to_id=7)
    deputy = _user("deputy", deputy_id=7)
    for action in ("reply", "resolve", "note", "escalate", "transfer"):
        assert can(deputy, action, mine) and can(deputy, action, up_to_me) and not can(deputy, action, theirs)
    for action in ("assign", "merge", "reclassify", "reject"):
        assert not can(deputy, action, mine)
    assert not can(_user("deputy", deputy_id=None), "reply", _ticket(deputy_id=None))


def test_the_county_acts_only_on_what_was_escalated_to_it():
    county = _user("county")
    escalated = _ticket(escalated_to_id=30, kinds=("created", "escalated"))
    to_the_office_only = _ticket(kinds=("created", "accepted", "escalated"))
    returned = _ticket(kinds=("created", "escalated", "resolved", "reopened", "returned"))
    township = _ticket(kinds=("created", "accepted"))
    for action in ("reply", "resolve", "note", "transfer", "escalate"):
        assert can(county, action, escalated) and can(county, action, to_the_office_only)
        assert not can(county, action, returned) and not can(county, action, township)
    for action in ("assign", "merge", "reclassify", "reject"):
        assert not can(county, action, escalated)
    assert is_escalated(_ticket(kinds=("escalated", "returned", "accepted", "escalated")))


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        can(_user("staff"), "delete", _ticket())


def test_require_checks_the_role():
    require(_user("admin"), "admin")
    require(_user("staff"), "admin", "staff")
    with pytest.raises(Forbidden) as refused:
        require(_user("deputy", 1), "admin", "staff")
    assert "管理员" in refused.value.message and "工作人员" in refused.value.message
    with pytest.raises(Forbidden):
        require(_user("admin", active=False), "admin")
