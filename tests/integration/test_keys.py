"""Keys: one per purpose, derived from the secret; short secrets refused; a
rotation still reads what older keys sealed."""
from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet

from bot.keys import KeyRing, WeakKey
from bot.services.roster.phones import PhoneBox

OLD = "o" * 40
NEW = "n" * 40


def test_each_purpose_has_its_own_key() -> None:
    ring = KeyRing(OLD)
    keys = {ring.key(purpose) for purpose in ("flask-session", "phone-seal", "phone-tail", "field-seal")}
    assert len(keys) == 4 and all(len(key) == 32 for key in keys)
    assert OLD.encode() not in b"".join(keys)


@pytest.mark.parametrize("secret", ["", "x", "k" * 31, f"{NEW}, short"])
def test_a_short_or_missing_secret_is_refused(secret: str) -> None:
    with pytest.raises(WeakKey, match="LIAISON_SECRET_KEY"):
        KeyRing(secret)


def test_an_unknown_purpose_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown key purpose"):
        KeyRing(OLD).key("phone")


def test_the_ring_never_shows_its_secrets() -> None:
    assert OLD not in repr(KeyRing(OLD)) and "1 key" in repr(KeyRing(OLD))


def test_a_phone_sealed_before_a_rotation_still_opens_and_matches() -> None:
    before = PhoneBox(KeyRing(OLD))
    sealed, tail = before.seal("13800001234"), before.tail("1234")
    after = PhoneBox(KeyRing(f"{NEW},{OLD}"))
    assert after.open(sealed) == "13800001234"
    assert tail in after.tails("1234") and after.tail("1234") != tail
    assert PhoneBox(KeyRing(NEW)).open(after.seal("13800001234")) == "13800001234"
    assert PhoneBox(KeyRing(NEW)).open(sealed) is None  # the old key dropped: unknown, no crash


def test_a_phone_sealed_by_the_scheme_before_hkdf_still_opens() -> None:
    legacy = Fernet(base64.urlsafe_b64encode(hashlib.sha256(("liaison-phone:" + OLD).encode()).digest()))
    assert PhoneBox(KeyRing(OLD)).open(legacy.encrypt(b"13800001234").decode()) == "13800001234"


def test_an_app_with_a_short_secret_does_not_start(make_app) -> None:
    with pytest.raises(WeakKey):
        make_app(SECRET_KEY="short")


def test_flask_signs_with_a_derived_key_and_accepts_the_previous_one(make_app) -> None:
    app = make_app(SECRET_KEY=f"{NEW},{OLD}")
    assert app.config["SECRET_KEY"] != NEW and len(app.config["SECRET_KEY_FALLBACKS"]) == 1
