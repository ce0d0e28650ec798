"""Migration 0007: deputies' plaintext card tokens become hashes of unused
cards, so a printed card still works once, through staff confirmation."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from bot.infra import migrate

TOKEN = "printed-card-token-1"


def test_plaintext_tokens_are_hashed_and_the_column_dropped(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO deputies (id, code, name, bind_token, active, subscribed, openid) "
                          "VALUES (1, 'D001', '张三', :t, 1, 1, 'oOldPhone')"), {"t": TOKEN})
        conn.execute(text("INSERT INTO qr_codes (scene, ticket, url, created_at) VALUES "
                          "(:s, 'T', 'https://mp.weixin.qq.com/q/x', '2026-01-01')"), {"s": f"deputy:{TOKEN}"})
    migrate.upgrade(engine)

    assert "bind_token" not in {c["name"] for c in inspect(engine).get_columns("deputies")}
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, target_id, key_hash, scene_key, used_at FROM issued_qr_codes")).all()
        assert rows == [("deputy", 1, hashlib.sha256(TOKEN.encode()).hexdigest(), None, None)]
        assert conn.execute(text("SELECT count(*) FROM qr_codes")).scalar() == 0  # the cached scene held the token
        dump = "\n".join(str(r) for r in conn.execute(text("SELECT * FROM deputies")).all())
        assert TOKEN not in dump

    from bot.services.roster.codes import request_binding

    now = datetime(2026, 12, 2, tzinfo=UTC)
    with Session(engine) as session:
        assert request_binding(session, "oNewPhone", TOKEN, now)[0] == "pending"
        assert request_binding(session, "oNewPhone", "some-other-token", now)[0] == "unknown"
    engine.dispose()
