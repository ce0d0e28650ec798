"""A lean stand-in for WeChat's message API, for bench/broadcast.py only.

In production WeChat's servers are not on our two cores; in the bench they
are. The Flask fake (bot/devtools/fake_wechat.py, used by the tests) costs
about 0.5 ms of CPU a request, which would be measured as ours. This one is
an asyncio protocol with keep-alive that still does what the sender relies
on: it issues tokens, refuses unknown ones (40001), and counts every message
and every distinct recipient, so the bench can check nobody got two copies.

    python bench/fake_api.py PORT [LATENCY_MS]

LATENCY_MS delays each message answer without blocking the others, like the
round trip to WeChat's servers from a township office (tens of ms).
    GET /_fake/stats -> {"sent": N, "distinct": M, "token_fetches": K}
    POST /_fake/reset   forgets the messages (not the tokens)
"""
from __future__ import annotations

import asyncio
import json
import secrets
import sys

SEND_PATHS = {b"/cgi-bin/message/custom/send", b"/cgi-bin/message/template/send"}


class State:
    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.token_fetches = 0
        self.sent = 0
        self.recipients: set[str] = set()


def answer(state: State, method: bytes, target: bytes, body: bytes) -> dict:
    path, _, query = target.partition(b"?")
    if path in SEND_PATHS:
        token = ""
        for part in query.split(b"&"):
            if part.startswith(b"access_token="):
                token = part[13:].decode()
        if token not in state.tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        state.sent += 1
        state.recipients.add(json.loads(body).get("touser", ""))
        return {"errcode": 0, "errmsg": "ok", "msgid": 1000 + state.sent}
    if path == b"/cgi-bin/stable_token":
        token = "FAKE_" + secrets.token_hex(12)
        if json.loads(body or b"{}").get("force_refresh"):
            state.tokens.clear()
        state.tokens.add(token)
        state.token_fetches += 1
        return {"access_token": token, "expires_in": 7200}
    if path == b"/_fake/stats":
        return {"sent": state.sent, "distinct": len(state.recipients), "token_fetches": state.token_fetches}
    if path == b"/_fake/reset":
        state.sent, state.recipients = 0, set()
        return {"ok": True}
    return {"errcode": 404, "errmsg": f"no such endpoint: {method.decode()} {path.decode()}"}


class Connection(asyncio.Protocol):
    def __init__(self, state: State, latency: float) -> None:
        self.state, self.latency, self.buffer, self.transport = state, latency, b"", None

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].split(b"\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            method, target, _ = lines[0].split(b" ", 2)
            out = json.dumps(answer(self.state, method, target, body)).encode()
            reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
                len(out), out)
            if self.latency and target.partition(b"?")[0] in SEND_PATHS:
                # Clients send one request per connection at a time, so answers stay in order.
                asyncio.get_running_loop().call_later(self.latency, self.transport.write, reply)
            else:
                self.transport.write(reply)


async def serve(port: int, latency: float) -> None:
    state = State()
    server = await asyncio.get_running_loop().create_server(lambda: Connection(state, latency), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.0))
