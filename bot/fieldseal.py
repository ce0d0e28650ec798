"""Field-level encryption of personal text at rest, and the blind index that
lets staff search it.

Sealed values are "v1:" + base64(12-byte nonce + AES-GCM ciphertext and tag),
written with the newest "field-seal" key of the ring and read with any of them
(rotation). A value without the prefix is a row written before sealing and is
read as it is, until `liaison db reseal` seals it.

The index holds, per ticket, keyed hashes (HMAC-SHA256 with the "field-index"
key) of the characters and character pairs of its text, cut down to BUCKETS
values: a search asks for tickets holding every hash of the query, then checks
the decrypted text, so the buckets' collisions never show as results."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keys import KeyRing

PREFIX = "v1:"
NONCE = 12
# 65,536 buckets: a query of one character pair still matches only ~0.2% of
# 100-character tickets by chance, while a bucket does not name one pair for sure.
BUCKETS = 1 << 16


class Unreadable(ValueError):
    """A sealed value no key of the ring opens (another install's key, or damage)."""


def normalise(text: str) -> str:
    """What search compares: full-width forms folded, case folded, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def grams(text: str) -> set[str]:
    """The characters and adjacent character pairs of the normalised text."""
    s = normalise(text)
    return set(s) | {s[i:i + 2] for i in range(len(s) - 1)}


def query_grams(needle: str) -> set[str]:
    """A query is found through its pairs (its single character when it has one)."""
    s = normalise(needle)
    return {s[i:i + 2] for i in range(len(s) - 1)} or set(s)


class FieldCipher:
    def __init__(self, ring: KeyRing):
        self._seal = AESGCM(ring.key("field-seal"))
        self._open = [AESGCM(key) for key in ring.keys("field-seal")]
        self._macs = [hmac.new(key, digestmod=hashlib.sha256) for key in ring.keys("field-index")]

    def __repr__(self) -> str:  # never the keys
        return f"<FieldCipher of {len(self._open)} key(s)>"

    def seal(self, plain: str) -> str:
        nonce = os.urandom(NONCE)
        body = self._seal.encrypt(nonce, plain.encode("utf-8"), None)
        return PREFIX + base64.b64encode(nonce + body).decode("ascii")

    def open(self, stored: str) -> str:
        """The plaintext of a sealed value; a legacy plaintext value as it is."""
        blob = _decode(stored)
        if blob is None:
            return stored
        for aead in self._open:
            try:
                return aead.decrypt(blob[:NONCE], blob[NONCE:], None).decode("utf-8")
            except InvalidTag:
                continue
        raise Unreadable("a sealed field opens with no key of LIAISON_SECRET_KEY")

    def current(self, stored: str) -> bool:
        """Sealed with the newest key (nothing for `reseal` to do)."""
        blob = _decode(stored)
        if blob is None:
            return False
        try:
            self._open[0].decrypt(blob[:NONCE], blob[NONCE:], None)
        except InvalidTag:
            return False
        return True

    def terms(self, text: str) -> set[int]:
        """The index terms of a text, under the newest key (for storing)."""
        return {self._term(self._macs[0], g) for g in grams(text)}

    def query_terms(self, needle: str) -> list[set[int]]:
        """The query's terms under every key, newest first (rows indexed before a rotation match too)."""
        wanted = query_grams(needle)
        return [{self._term(mac, g) for g in wanted} for mac in self._macs] if wanted else []

    @staticmethod
    def _term(mac: hmac.HMAC, gram: str) -> int:
        h = mac.copy()
        h.update(gram.encode("utf-8"))
        return int.from_bytes(h.digest()[:4], "big") % BUCKETS


def _decode(stored: str) -> bytes | None:
    """The nonce and ciphertext of a sealed value; None for legacy plaintext
    (a voter's old message may well have begun with "v1:")."""
    if not stored.startswith(PREFIX):
        return None
    try:
        blob = base64.b64decode(stored[len(PREFIX):], validate=True)
    except ValueError:
        return None
    return blob if len(blob) >= NONCE + 16 else None
