"""The newcomer's path: `liaison serve` with no configuration (SQLite + embedded
Redis + Celery worker and beat), `liaison demo seed`, `liaison simulate`."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def liaison(*args: str, cwd, env, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=env, timeout=timeout,
                          capture_output=True, text=True)


def test_serve_seed_simulate_on_the_embedded_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    port = free_port()
    seeded = liaison("demo", "seed", cwd=tmp_path, env=env)
    assert seeded.returncode == 0, seeded.stderr
    log = open(tmp_path / "serve.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], cwd=tmp_path,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail("serve did not come up:\n" + (tmp_path / "serve.log").read_text())

        out = liaison("simulate", "村里自来水停了三天了", "--url", f"http://127.0.0.1:{port}", "--wait", "30",
                      cwd=tmp_path, env=env)
        assert out.returncode == 0, out.stderr
        reply, pushed = out.stdout.splitlines()[:2]
        assert reply.startswith("回复: 已收到您的意见（编号 ") and reply.endswith("代表。")
        assert pushed.startswith("推送 → oDEMO_deputy_") and "[sent/sandbox]" in pushed, out.stdout

        # /metrics sums the web worker and the Celery worker (one folder in the instance):
        # the push was counted by the worker process, the message by the web one.
        scraped = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert scraped.status_code == 200
        assert 'liaison_pushes_total{result="sent"} 1.0' in scraped.text, scraped.text
        assert "liaison_tickets_created_total 1.0" in scraped.text
        assert 'liaison_webhook_seconds_count{outcome="reply"} 1.0' in scraped.text
        assert os.listdir(tmp_path / "instance" / "metrics")
        assert "prometheus_client imported before" not in (tmp_path / "serve.log").read_text()

        # A second `serve` on the same port fails at once, in Chinese, before
        # it starts a worker or a scheduler of its own.
        started = time.monotonic()
        second = liaison("serve", "--port", str(port), cwd=tmp_path, env=env, timeout=30)
        assert second.returncode != 0 and f"端口 {port} 已被占用" in second.stderr, second.stderr
        assert "Liaison 已启动" not in second.stdout and time.monotonic() - started < 15

        outbox = liaison("sandbox", "outbox", cwd=tmp_path, env=env)
        assert "村里自来水停了三天了" in outbox.stdout
        assert (tmp_path / "instance" / "liaison.db").exists()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    # Nothing of the embedded stack outlives `serve`.
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
    assert not leftovers, (tmp_path / "serve.log").read_text()
    shutil.rmtree(tmp_path / "instance", ignore_errors=True)
