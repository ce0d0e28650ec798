"""Phone numbers at rest: Fernet-encrypted, plus a keyed hash of the last four
digits so "绑定 张三 1234" can be matched without decrypting every row.
Phones are never logged; the key derives from SECRET_KEY."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken

PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")  # mobile, or landline with area code


def normalise(raw: str) -> str:
    return re.sub(r"[\s\-()（）]", "", raw or "").removeprefix("+86")


def valid(phone: str) -> bool:
    return bool(PHONE.match(phone))


class PhoneBox:
    def __init__(self, secret_key: str):
        digest = hashlib.sha256(("liaison-phone:" + secret_key).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._mac_key = hashlib.sha256(("liaison-phone-tail:" + secret_key).encode()).digest()

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
        """Keyed hash of the last four digits."""
        return hmac.new(self._mac_key, digits[-4:].encode(), hashlib.sha256).hexdigest()[:32]

    def store(self, row, phone: str | None) -> None:
        """Set phone_enc/phone_tail on a Voter or Deputy."""
        row.phone_enc = self.seal(phone) if phone else None
        row.phone_tail = self.tail(phone) if phone else None
