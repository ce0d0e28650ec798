"""Migration 0011: a ticket anonymised before its text was sealed (the plaintext
marker) gets its anonymised_at, so retention does not overwrite an erase with
the expiry marker; every other ticket and message is still to do."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from bot.infra import migrate
from bot.services import texts


def test_tickets_already_anonymised_in_plaintext_are_dated(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0010")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO voters (id, subscribed, created_at) VALUES (1, 1, '2023-01-01')"))
        for id_, words in ((1, texts.ERASED), (2, texts.EXPIRED), (3, "村里自来水停了三天了")):
            conn.execute(text("INSERT INTO tickets (id, number, text, category, confidence, status, urgent, "
                              "needs_triage, voter_id, created_at, updated_at) VALUES (:i, :n, :t, '城乡建设', 1, "
                              "'rated', 0, 0, 1, '2023-01-01', '2023-02-0' || :i)"),
                         {"i": id_, "n": f"2023-00000{id_}", "t": words})
        conn.execute(text("INSERT INTO inbound_messages (dedupe_key, openid, msg_type, extra, created_at) "
                          "VALUES ('k', 'o1', 'text', '{}', '2023-01-01')"))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        dated = conn.execute(text("SELECT id, anonymised_at FROM tickets ORDER BY id")).all()
        dropped = conn.execute(text("SELECT raw_dropped_at FROM inbound_messages")).scalar()
    engine.dispose()
    assert [(i, str(at)[:10] if at else None) for i, at in dated] == \
        [(1, "2023-02-01"), (2, "2023-02-02"), (3, None)]
    assert dropped is None
