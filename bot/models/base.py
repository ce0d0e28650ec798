"""Declarative base, naming convention and shared column helpers."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Protocol

from sqlalchemy import JSON, ColumnElement, DateTime, MetaData, String, Text
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """timestamptz that stores UTC and always reads back aware UTC. SQLite
    keeps no zone: it would store an aware value's wall time and return naive
    datetimes. A naive value is taken as UTC (what SQLite gave back before)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _utc(value)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Cipher(Protocol):
    """What sealed columns need (bot/fieldseal.py FieldCipher); the app installs one per engine."""

    def seal(self, plain: str) -> str: ...
    def open(self, stored: str) -> str: ...
    def terms(self, text: str) -> set[int]: ...


class NoCipher(RuntimeError):
    """A sealed column was written or read through an engine with no cipher installed."""


_CIPHER = "liaison_cipher"


def install_cipher(engine: Engine, cipher: Cipher) -> None:
    """Give an engine the cipher its sealed columns use. On the dialect, which
    every statement of the engine passes to the column types, so each app's
    engine carries its own keys and nothing is global."""
    setattr(engine.dialect, _CIPHER, cipher)


def cipher_of(dialect: Dialect) -> Cipher:
    found = getattr(dialect, _CIPHER, None)
    if found is None:  # never store plaintext because a process forgot the keys
        raise NoCipher("sealed columns need a cipher: build the engine through the app (bot/extensions.py)")
    return found


class _NoSqlComparison(TypeDecorator.Comparator):  # type: ignore[type-arg]
    """Each seal has a fresh nonce, so SQL can never compare sealed text: a
    `==` or LIKE would silently match nothing. Only NULL tests are allowed;
    search goes through the blind index (services/tickets/search.py)."""

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        # Column against column stays allowed: SQLAlchemy compares columns itself (as dict keys).
        internal = op in (operators.eq, operators.ne) and all(isinstance(o, ColumnElement) for o in other)
        if not internal and op not in (operators.is_, operators.is_not):
            raise TypeError(f"a sealed column cannot be compared in SQL ({op.__name__})")
        return super().operate(op, *other, **kwargs)


class SealedText(TypeDecorator[str]):
    """Text encrypted at rest (complaint text, names, addresses, replies): "v1:"
    + base64(nonce + AES-GCM) in a TEXT column. Old plaintext rows read as they are."""

    impl = Text
    cache_ok = True
    comparator_factory = _NoSqlComparison

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else cipher_of(dialect).seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else cipher_of(dialect).open(value)


class SealedJSON(TypeDecorator[Any]):
    """A JSON document encrypted at rest, kept in its JSON column as one JSON
    string (no column change); a legacy row's object reads as it is."""

    impl = JSON
    cache_ok = True
    comparator_factory = _NoSqlComparison

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return cipher_of(dialect).seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if not isinstance(value, str):
            return value  # NULL, or a document stored before sealing
        return json.loads(cipher_of(dialect).open(value))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        str: String(255),
    }
