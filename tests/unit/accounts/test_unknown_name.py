"""How an unknown user name appears in the audit log: never as typed."""
from __future__ import annotations

import hashlib
import hmac

from bot.services.accounts.users import unknown_name


def test_an_unknown_name_is_a_short_hash_of_the_lowercased_name():
    assert unknown_name(" Typed.Password ") == unknown_name("typed.password")
    assert unknown_name("typed.password") == f"未知用户名 {hashlib.sha256(b'typed.password').hexdigest()[:8]}"
    assert unknown_name("typed.password") != unknown_name("other.name")
    assert "typed" not in unknown_name("typed.password")
    assert len(unknown_name("x" * 64)) <= 64


def test_with_a_secret_it_is_an_hmac_and_bytes_work_too():
    expected = hmac.new(b"k3y", b"typed.password", hashlib.sha256).hexdigest()[:8]
    assert unknown_name("Typed.Password", "k3y") == unknown_name("typed.password", b"k3y") == f"未知用户名 {expected}"
