"""What sealing personal text at rest costs per voter message: AES-GCM seal and
open, the blind index's terms, and the rows a message writes (inbound message,
ticket with its index, two events, two pushes) through the real models on
SQLite, sealed and not. Prints the figures; asserts nothing.

    python bench/sealing.py [--messages 2000]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bot.extensions import make_engine
from bot.fieldseal import FieldCipher
from bot.keys import KeyRing
from bot.models import Base, InboundMessage, OutboundPush, Ticket, TicketEvent, TicketTerm, Voter
from bot.models.base import install_cipher

TEXTS = ["村里自来水停了三天了", "路灯坏了一个月没人修，晚上出门很不方便，老人摔倒过两次", "村口的桥栏杆断了",
         "垃圾好几天没人清运，天热了臭得不行，苍蝇蚊子很多，希望尽快安排人来清理一下，谢谢领导"]
LONG = "我们村东头到镇上的那段水泥路去年修的，今年雨水一冲就塌了好几处，" * 4  # ~130 characters


class Plain:
    """Stores text as it is and indexes nothing: the cost before sealing."""

    def seal(self, plain: str) -> str:
        return plain

    def open(self, stored: str) -> str:
        return stored

    def terms(self, text: str) -> set[int]:
        return set()


def per_call(fn, arg, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn(arg)
    return (time.perf_counter() - start) / n * 1e6


def micro(cipher: FieldCipher) -> None:
    print("one value (microseconds per call):")
    for text in (TEXTS[0], TEXTS[3], LONG):
        sealed = cipher.seal(text)
        print(f"  {len(text):4d} characters: seal {per_call(cipher.seal, text, 20000):6.1f}  "
              f"open {per_call(cipher.open, sealed, 20000):6.1f}  "
              f"index {per_call(cipher.terms, text, 5000):6.1f} ({len(cipher.terms(text))} terms)  "
              f"stored {len(sealed)} bytes for {len(text.encode())}")


def rows(cipher, messages: int) -> tuple[float, int, int]:
    """Seconds per message to write one message's rows, committed one message at a time."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        # No fsync per commit: the disk's noise would hide the CPU cost measured here.
        event.listen(engine, "connect", lambda conn, _r: conn.execute("PRAGMA synchronous=OFF"))
        install_cipher(engine, cipher)
        Base.metadata.create_all(engine)
        now = datetime.now(UTC)
        with Session(engine) as s:
            voter = Voter(openid="oBench", name="张三")
            s.add(voter)
            s.commit()
            start = time.perf_counter()
            for i in range(messages):
                text = f"{TEXTS[i % len(TEXTS)]}（第{i}条）"
                ticket = Ticket(number=f"2026-{i:06d}", text=text, category="城乡建设", confidence=0.9,
                                voter_id=voter.id, created_at=now)
                s.add(ticket)
                s.flush()
                s.add(InboundMessage(dedupe_key=f"oBench:{i}", openid="oBench", msg_type="text", content=text,
                                     extra={"MsgId": str(i)}, reply=f"已收到您的意见（编号 {ticket.number}）",
                                     ticket_id=ticket.id, created_at=now))
                s.add_all([TicketEvent(ticket_id=ticket.id, kind="open", actor="voter:1", note=""),
                           TicketEvent(ticket_id=ticket.id, kind="assign", actor="system", note="张某（联系代表）")])
                s.add_all([OutboundPush(dedupe_key=f"t:{i}:{k}", recipient_openid="oDeputy", kind=k, ticket_id=ticket.id,
                                        payload={"text": f"新意见 {ticket.number} 张某：{text}", "title": "新意见",
                                                 "fields": [["keyword4", text[:20]]]}, created_at=now)
                           for k in ("assigned", "urgent")])
                s.commit()
            elapsed = time.perf_counter() - start
            terms = s.scalar(select(func.count()).select_from(TicketTerm)) or 0
        size = os.path.getsize(f"{folder}/bench.db")
        engine.dispose()
    return elapsed / messages, terms // max(1, messages) if terms else 0, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    cipher = FieldCipher(KeyRing("b" * 64))
    micro(cipher)
    runs = [(rows(Plain(), args.messages), rows(cipher, args.messages)) for _ in range(3)]
    plain, _, plain_size = min(r[0] for r in runs)
    sealed, terms, sealed_size = min(r[1] for r in runs)
    print(f"one message's rows on SQLite ({args.messages} messages, one commit each, no fsync; best of 3):")
    print(f"  plaintext {plain * 1000:.3f} ms, sealed and indexed {sealed * 1000:.3f} ms: "
          f"+{(sealed - plain) * 1000:.3f} ms per message ({terms} index rows per ticket)")
    print(f"  database {plain_size / 1e6:.1f} MB plaintext, {sealed_size / 1e6:.1f} MB sealed and indexed")


if __name__ == "__main__":
    main()
