"""Phone numbers at rest: Fernet-encrypted, plus a keyed hash of the last four
digits so "绑定 张三 1234" can be matched without decrypting every row.
Phones are never logged; the keys derive from SECRET_KEY (bot/keys.py), and
every key of a rotation (and the scheme before HKDF) still reads and matches."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ...keys import KeyRing

PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")  # mobile, or landline with area code


def normalise(raw: str) -> str:
    return re.sub(r"[\s\-()（）]", "", raw or "").removeprefix("+86")


def valid(phone: str) -> bool:
    return bool(PHONE.match(phone))


class PhoneBox:
    def __init__(self, ring: KeyRing):
        seal_keys = ring.keys("phone-seal") + ring.legacy("liaison-phone:")
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in seal_keys])
        self._mac_keys = ring.keys("phone-tail") + ring.legacy("liaison-phone-tail:")

    def seal(self, phone: str) -> str:
        return self._fernet.encrypt(phone.encode()).decode("ascii")

    def open(self, sealed: str | None) -> str | None:
        if not sealed:
            return None
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken:  # another install's key: treat as unknown, never crash an export
            return None

    def tail(self, digits: str) -> str:
        """Keyed hash of the last four digits, with the newest key (for storing)."""
        return self.tails(digits)[0]

    def tails(self, digits: str) -> list[str]:
        """The hash under every key, newest first (for matching rows stored under an older one)."""
        return [hmac.new(key, digits[-4:].encode(), hashlib.sha256).hexdigest()[:32] for key in self._mac_keys]

    def store(self, row, phone: str | None) -> None:
        """Set phone_enc/phone_tail on a Voter or Deputy."""
        row.phone_enc = self.seal(phone) if phone else None
        row.phone_tail = self.tail(phone) if phone else None
