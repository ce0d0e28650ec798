"""`liaison db reseal`: seal every sealed column with the newest key.

Rows written before sealing (plaintext) and rows sealed under an older key of
a rotation are sealed again with the newest; rows already under it are left
alone, so a second run changes nothing. Then every ticket's search index is
rewritten under the newest index key. Works in batches, one transaction each,
so a large database is never locked for long and an interrupted run resumes."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import JSON, Column, Table, Text, select, type_coerce, update
from sqlalchemy.engine import Engine

from ..fieldseal import FieldCipher
from ..models import Base, Ticket
from ..models.base import SealedJSON, SealedText, cipher_of
from ..models.tickets import write_terms


def sealed_tables() -> Iterator[tuple[Table, list[Column[Any]]]]:
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (SealedText, SealedJSON))]
        if columns:
            yield table, columns


def _resealed(cipher: FieldCipher, column: Column[Any], raw: Any) -> Any:
    """The column's new stored value, or None when it is already sealed under the newest key."""
    if raw is None:
        return None
    if isinstance(column.type, SealedJSON):
        if isinstance(raw, str):
            return None if cipher.current(raw) else type_coerce(cipher.seal(cipher.open(raw)), JSON())
        return type_coerce(cipher.seal(json.dumps(raw, ensure_ascii=False, separators=(",", ":"))), JSON())
    return None if cipher.current(raw) else type_coerce(cipher.seal(cipher.open(raw)), Text())


def reseal(engine: Engine, batch: int = 500) -> dict[str, tuple[int, int]]:
    """Per "table.column": (values sealed again, values present)."""
    cipher = cipher_of(engine.dialect)
    if not isinstance(cipher, FieldCipher):
        raise TypeError("reseal needs the app's FieldCipher")
    counts: dict[str, tuple[int, int]] = {}
    for table, columns in sealed_tables():
        names = [f"{table.name}.{c.name}" for c in columns]
        tally = dict.fromkeys(names, (0, 0))
        # Leave "last changed" columns alone: sealing again changes no content.
        keep = {c.name: c for c in table.columns if c.onupdate is not None}
        raw = [type_coerce(c, JSON() if isinstance(c.type, SealedJSON) else Text()).label(c.name) for c in columns]
        # Keyed by the table's one primary-key column: an integer id, or a random text key (the poll's ballots).
        (key,) = table.primary_key.columns
        last: Any = None
        while True:
            with engine.begin() as conn:
                query = select(key.label("pk"), *raw)
                if last is not None:
                    query = query.where(key > last)
                rows = conn.execute(query.order_by(key).limit(batch)).all()
                for row in rows:
                    values = {}
                    for column, name in zip(columns, names):
                        stored = getattr(row, column.name)
                        new = _resealed(cipher, column, stored)
                        done, present = tally[name]
                        tally[name] = (done + (new is not None), present + (stored is not None))
                        if new is not None:
                            values[column.name] = new
                    if values:
                        conn.execute(update(table).where(key == row.pk).values(**values, **keep))
            if not rows:
                break
            last = rows[-1].pk
        counts.update(tally)
    return counts


def reindex(engine: Engine, batch: int = 500) -> int:
    """Rewrite every ticket's search index under the newest index key; how many tickets."""
    done, last = 0, 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(select(Ticket.id, Ticket.text).where(Ticket.id > last)
                                .order_by(Ticket.id).limit(batch)).all()
            for id_, text in rows:
                write_terms(conn, id_, text)
        if not rows:
            return done
        done, last = done + len(rows), rows[-1][0]
