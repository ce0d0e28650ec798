"""A small reverse proxy for the multi-host test, standing in for nginx in
front of the web hosts (stdlib only, so CI installs nothing more):

    python proxy.py --listen ADDR:PORT --backend ADDR:PORT --backend ADDR:PORT

Round robin over the backends. As nginx does with its defaults
(proxy_next_upstream error timeout, max_fails=1, fail_timeout): a backend
that cannot be connected to, or does not answer, is skipped for FAIL_SECONDS;
a request is passed to the next backend only when the first never got it
(the connection failed), since a POST that reached a backend may have been
handled. Each request gets its own backend connection, so a backend cut off
is noticed on the next request. One log line per request: backend, status, ms."""
from __future__ import annotations

import argparse
import http.client
import itertools
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONNECT_SECONDS = 1.0
ANSWER_SECONDS = 10.0  # above the webhook's own budget; WeChat's clients give up at 5 s
FAIL_SECONDS = 5.0
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class Backends:
    def __init__(self, addresses: list[str]):
        self.addresses = addresses
        self.turn = itertools.cycle(range(len(addresses)))
        self.failed_until = [0.0] * len(addresses)
        self.lock = threading.Lock()

    def order(self) -> list[str]:
        """Every backend once, starting at the next in turn; those marked failed last."""
        with self.lock:
            start = next(self.turn)
            now = time.monotonic()
            ring = [(start + i) % len(self.addresses) for i in range(len(self.addresses))]
            ring.sort(key=lambda i: self.failed_until[i] > now)
        return [self.addresses[i] for i in ring]

    def failed(self, address: str) -> None:
        with self.lock:
            self.failed_until[self.addresses.index(address)] = time.monotonic() + FAIL_SECONDS


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    backends: Backends

    def log_message(self, format: str, *args) -> None:  # the per-request line is written below
        pass

    def _proxy(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        headers["X-Forwarded-For"] = self.client_address[0]
        headers["Connection"] = "close"
        started, status, used, data, answer = time.monotonic(), 502, "-", b"", []
        for address in self.backends.order():
            host, port = address.rsplit(":", 1)
            conn = http.client.HTTPConnection(host, int(port), timeout=CONNECT_SECONDS)
            try:
                conn.connect()
            except OSError:
                self.backends.failed(address)
                conn.close()
                continue  # the backend never saw this request: the next one may take it
            used = address
            try:
                conn.sock.settimeout(ANSWER_SECONDS)
                conn.request(self.command, self.path, body=body, headers=headers)
                res = conn.getresponse()
                status, data = res.status, res.read()
                answer = [(k, v) for k, v in res.getheaders() if k.lower() not in HOP | {"content-length"}]
            except (OSError, http.client.HTTPException):
                # It may have been handled: not passed on (the sender retries, as WeChat does).
                self.backends.failed(address)
                status, data, answer = 504, b"", []
            finally:
                conn.close()
            break
        try:
            self.send_response(status)
            for k, v in answer:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the sender gave up first
        print(f"{time.time():.3f} {used} {self.command} {status} {(time.monotonic() - started) * 1000:.0f}ms",
              flush=True)

    do_GET = do_POST = _proxy


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the senders' bursts wait in the backlog, not in SYN retries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True)
    parser.add_argument("--backend", action="append", required=True)
    args = parser.parse_args(argv)
    Handler.backends = Backends(args.backend)
    host, port = args.listen.rsplit(":", 1)
    server = Server((host, int(port)), Handler)
    print(f"proxy on {args.listen} to {args.backend}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
