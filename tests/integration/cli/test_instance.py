"""One instance, found the same way from anywhere: commands that only read or
change data never create an instance; they say where they looked instead."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from places import ROOT


def liaison(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    clean.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=clean, timeout=120,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def station(tmp_path_factory) -> Path:
    """A folder holding an instance with the demo township."""
    home = tmp_path_factory.mktemp("station")
    seeded = liaison("demo", "seed", cwd=home)
    assert seeded.returncode == 0, seeded.stderr
    return home


def test_a_command_in_a_folder_without_an_instance_refuses_and_creates_nothing(tmp_path):
    done = liaison("tickets", "list", cwd=tmp_path)
    assert done.returncode == 1
    assert f"没有找到 Liaison 实例：{tmp_path / 'instance'}" in done.stderr
    assert "--instance" in done.stderr and "LIAISON_INSTANCE_PATH" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no database, no key, no folder


def test_every_data_command_refuses_the_same_way(tmp_path):
    for args in (["status"], ["roster", "stats", "--json"], ["sandbox", "outbox"], ["triage", "list"],
                 ["qr", "list"], ["reception", "plan", "--from", "2026-12"]):
        done = liaison(*args, cwd=tmp_path)
        assert done.returncode == 1 and "没有找到 Liaison 实例" in done.stderr, (args, done.stderr)
    assert list(tmp_path.iterdir()) == []


def test_the_instance_is_found_from_a_folder_inside_it(station):
    deep = station / "名册" / "2026"
    deep.mkdir(parents=True)
    done = liaison("status", "--json", cwd=deep)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["instance"] == str(station / "instance")


def test_instance_option_and_environment_point_at_it_from_anywhere(station, tmp_path):
    by_option = liaison("--instance", str(station / "instance"), "qr", "list", "--json", cwd=tmp_path)
    assert by_option.returncode == 0, by_option.stderr
    by_env = liaison("qr", "list", "--json", cwd=tmp_path, LIAISON_INSTANCE_PATH=str(station / "instance"))
    assert by_env.stdout == by_option.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_server_database_needs_the_key_too(tmp_path):
    done = liaison("tickets", "list", cwd=tmp_path, LIAISON_DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert done.returncode == 1 and "没有密钥文件 secret_key" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_status_names_the_instance_database_redis_mode_and_the_waiting_work(station):
    done = liaison("status", cwd=station)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert f"实例：    {station / 'instance'}" in text
    assert f"sqlite:///{station / 'instance' / 'liaison.db'}" in text
    assert "内置（未运行" in text and "沙箱" in text
    assert "工单：    共 0 件" in text and "待发推送：0 条" in text
    report = json.loads(liaison("status", "--json", cwd=station).stdout)
    assert report["mode"] == "sandbox" and report["tickets"] == 0 and report["pending_pushes"] == 0
    assert report["redis"] == {"url": None, "ok": False, "error": "not running"}


def test_status_hides_passwords(station):
    done = liaison("status", "--json", cwd=station, LIAISON_REDIS_URL="redis://:hunter2@127.0.0.1:1/0")
    report = json.loads(done.stdout)
    assert "hunter2" not in done.stdout and report["redis"]["url"] == "redis://:***@127.0.0.1:1/0"
    assert report["redis"]["ok"] is False


def test_a_database_that_does_not_answer_is_said_in_chinese(tmp_path):
    done = liaison("status", cwd=tmp_path, LIAISON_SECRET_KEY="k" * 32,
                   LIAISON_DATABASE_URL="postgresql+psycopg://u:pw@127.0.0.1:1/nothing")
    assert done.returncode == 1
    assert "连不上数据库 postgresql+psycopg://u:***@127.0.0.1:1/nothing" in done.stderr
    assert "Traceback" not in done.stderr and "pw@" not in done.stderr


def test_a_configured_deployment_leaves_no_stray_instance_folder(tmp_path):
    done = liaison("tickets", "list", cwd=tmp_path, LIAISON_SECRET_KEY="k" * 32,
                   LIAISON_DATABASE_URL=f"sqlite:///{tmp_path / 'shared.db'}")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "instance").exists()


def test_status_hides_a_password_given_as_a_query_parameter(station):
    done = liaison("status", "--json", cwd=station, LIAISON_REDIS_URL="redis://127.0.0.1:1/0?password=s3cret")
    assert "s3cret" not in done.stdout
