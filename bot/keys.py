"""One key per purpose, derived from LIAISON_SECRET_KEY with HKDF-SHA256, so a
leaked derived key (a session cookie's) says nothing of another (the phones').

The setting may hold several secrets separated by commas, newest first: new data
is written with the newest and old data read with any, which is how the secret
is rotated (add the new one in front, re-seal, then drop the old one)."""
from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_CHARS = 32

# Every purpose a key is derived for; a new use takes a new name, never an old one.
PURPOSES = frozenset({
    "flask-session",  # Flask's signed cookies (console sessions, CSRF)
    "phone-seal",  # phones at rest (Fernet)
    "phone-tail",  # keyed hash of a phone's last four digits (claim look-up)
    "field-seal",  # complaint text, names and addresses at rest (AES-GCM)
    "field-index",  # keyed hashes that let staff search sealed text
    "account-probe",  # the stand-in hash for an unknown console user name
    "log-id",  # short pseudonyms for openids in logs
    "voter-pseudonym",  # the stand-in openid of a voter erased at their request
})


class WeakKey(ValueError):
    """The secret is missing or too short."""


def split(secret: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (secret or "").split(",") if part.strip())


def check(secret: str) -> None:
    """Refuse a secret that is missing or short (a one-character key was accepted once)."""
    parts = split(secret)
    if not parts:
        raise WeakKey("LIAISON_SECRET_KEY is empty")
    for part in parts:
        if len(part) < MIN_CHARS:
            raise WeakKey(f"LIAISON_SECRET_KEY: each key must be at least {MIN_CHARS} characters "
                            "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')")


class KeyRing:
    def __init__(self, secret: str):
        check(secret)
        self.secrets = split(secret)
        self._cache: dict[str, tuple[bytes, ...]] = {}

    def __repr__(self) -> str:  # never the secrets themselves
        return f"<KeyRing of {len(self.secrets)} key(s)>"

    def keys(self, purpose: str) -> tuple[bytes, ...]:
        """32-byte keys for `purpose`, newest first."""
        if purpose not in PURPOSES:
            raise ValueError(f"unknown key purpose {purpose!r}")
        found = self._cache.get(purpose)
        if found is None:
            found = tuple(_derive(s, purpose) for s in self.secrets)
            self._cache[purpose] = found
        return found

    def key(self, purpose: str) -> bytes:
        """The newest key for `purpose`: the one new data is written with."""
        return self.keys(purpose)[0]

    def legacy(self, label: str) -> tuple[bytes, ...]:
        """Keys of the scheme before HKDF (SHA-256 of a label and the secret), kept
        only to read data sealed before the upgrade; never used to write."""
        return tuple(hashlib.sha256((label + s).encode()).digest() for s in self.secrets)


def _derive(secret: str, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"liaison-v1", info=purpose.encode())
    return hkdf.derive(secret.encode())
