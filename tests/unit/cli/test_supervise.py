"""`liaison serve` keeps its worker running: a worker that exits, with any
status, is started again."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bot.cli.supervise import Supervisor
from places import ROOT


@pytest.mark.parametrize("status", [0, 1, -9])
def test_a_worker_that_exits_is_started_again_whatever_its_status(tmp_path, status):
    runs = tmp_path / "runs"
    code = (f"import os,signal; open({str(runs)!r}, 'a').write('x'); "
            + ("os.kill(os.getpid(), signal.SIGKILL)" if status < 0 else f"raise SystemExit({status})"))
    sup = Supervisor([sys.executable, "-c", code], "worker", first_delay=0.01, max_delay=0.05).start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(runs.read_text() if runs.exists() else "") < 3:
            time.sleep(0.05)
    finally:
        sup.stop()
    assert len(runs.read_text()) >= 3


def test_stopping_ends_the_worker_and_starts_no_other(tmp_path):
    sup = Supervisor([sys.executable, "-c", "import time; time.sleep(60)"], "worker", first_delay=0.01).start()
    deadline = time.monotonic() + 10
    while sup.proc is None and time.monotonic() < deadline:
        time.sleep(0.01)
    sup.stop(timeout=5)
    assert sup.proc.poll() is not None and sup.restarts == 0


def test_what_a_killed_worker_leaves_behind_is_ended_before_the_next_starts(tmp_path):
    """A SIGKILLed Celery worker leaves its embedded beat running; two beats would run every job twice."""
    pids = tmp_path / "pids"
    code = ("import os,signal,subprocess,sys,time\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
            f"open({str(pids)!r}, 'a').write(f'{{child.pid}}\\n')\n"
            "time.sleep(0.3); os.kill(os.getpid(), signal.SIGKILL)\n")
    sup = Supervisor([sys.executable, "-c", code], "worker", first_delay=0.05, max_delay=0.1).start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(pids.read_text().split() if pids.exists() else []) < 2:
            time.sleep(0.05)
    finally:
        sup.stop()
    first = int(pids.read_text().split()[0])
    assert not os.path.exists(f"/proc/{first}") or "Z" in open(f"/proc/{first}/stat").read().split()[2]


def test_a_supervisor_killed_outright_leaves_no_worker_behind(tmp_path):
    pid_file = tmp_path / "pid"
    (tmp_path / "worker.py").write_text(
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(120)\n")
    script = ("import sys, time\n"
              "from bot.cli.supervise import Supervisor\n"
              f"Supervisor([sys.executable, {str(tmp_path / 'worker.py')!r}], 'worker').start()\n"
              "time.sleep(120)\n")
    serve = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (pid_file.exists() and pid_file.read_text()):
            time.sleep(0.05)
        worker = int(pid_file.read_text())
    finally:
        serve.kill()  # SIGKILL: no finally, no stop()
        serve.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.05)
    alive = _alive(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive


def _alive(pid: int) -> bool:
    try:
        return "Z" not in open(f"/proc/{pid}/stat").read().split()[2]
    except FileNotFoundError:
        return False
