"""Several processes (gunicorn workers, the Celery worker) count into one
folder and a scrape sums them; building the app never imports the client
(its multiprocess mode is chosen at import, see bot/metrics.py)."""
from __future__ import annotations

import os
import subprocess
import sys

from places import ROOT

COUNT = """
import sys
from bot import metrics
metrics.TICKETS_CREATED.inc(int(sys.argv[1]))
metrics.PUSHES.labels(result="sent").inc(int(sys.argv[1]))
metrics.WEBHOOK_SECONDS.labels(outcome="reply").observe(0.02)
print(metrics.multiprocess_dir())
"""


def python(code: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_two_processes_counting_into_one_folder_are_summed_by_the_scrape(tmp_path, monkeypatch):
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    for n in ("2", "3"):
        done = python(COUNT, n, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == str(folder)
    assert len(list(folder.glob("counter_*.db"))) == 2  # one file per process

    from bot import metrics

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    text = metrics.exposition()[0].decode()
    assert "liaison_tickets_created_total 5.0" in text
    assert 'liaison_pushes_total{result="sent"} 5.0' in text
    assert 'liaison_webhook_seconds_count{outcome="reply"} 2.0' in text


def test_a_dead_worker_is_marked_and_its_counts_stay(tmp_path, monkeypatch):
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    assert python(COUNT, "4", env=env).returncode == 0
    pid = next(folder.glob("counter_*.db")).stem.split("_")[1]

    from bot import metrics

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    metrics.mark_dead(int(pid))  # gunicorn's child_exit
    assert "liaison_tickets_created_total 4.0" in metrics.exposition()[0].decode()


def test_a_fresh_start_empties_the_folder_and_keeps_it(tmp_path, monkeypatch):
    """gunicorn's on_starting (the Docker image): the folder may be a tmpfs mount point."""
    from bot.web import gunicorn_conf

    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"left by an earlier run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    gunicorn_conf.on_starting(None)
    assert folder.is_dir() and not list(folder.iterdir())


def test_building_the_app_does_not_import_the_prometheus_client(tmp_path):
    """`liaison serve` sets PROMETHEUS_MULTIPROC_DIR after building its app and before
    forking the web worker: had the app imported the client, the worker would count alone."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "PROMETHEUS_"))}
    env.update(PYTHONPATH=str(ROOT), LIAISON_INSTANCE_PATH=str(tmp_path / "instance"))
    code = ("import sys\nfrom bot import create_app\napp = create_app()\n"
            "app.test_client().get('/healthz')\nprint('prometheus_client' in sys.modules)")
    done = python(code, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_a_worker_in_its_own_container_answers_scrapes_itself(tmp_path, monkeypatch):
    """`liaison worker --metrics-port`: compose's worker cannot be summed by the web's /metrics."""
    import socket
    import urllib.request

    from bot import metrics

    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    assert python(COUNT, "6", env=env).returncode == 0
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server, thread = metrics.serve_worker_metrics(port, "127.0.0.1")
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert "liaison_tickets_created_total 6.0" in text
