"""The wheel ships what the app reads at run time (migrations, routing table,
classifier artifact, poster font) and none of the development data (data/:
seed examples, evaluation sets); and an unpacked wheel, away from the checkout,
finds all of it through the installed packages: it migrates, routes and
classifies without reading a file of the checkout."""
from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import bot
from bot.nlp import model
from bot.services.roster import posters

ROOT = Path(__file__).resolve().parents[2]
BOT = Path(bot.__file__).parent
pytestmark = pytest.mark.slow

# A clean copy of the checkout to build from: no stale build/ or egg-info, and
# the checkout itself is left untouched.
SKIP = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.pyc", "build", "dist", "*.egg-info", "instance",
                              ".*cache*", "*.db", "*.sqlite")


def _can_build_wheels() -> bool:
    """setuptools writes wheels itself from 70.1; before that through the `wheel` package."""
    from setuptools.dist import Distribution

    try:
        Distribution().get_command_class("bdist_wheel")
    except Exception:
        return False
    return True


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[set[str], Path, str]:
    """(file names in the wheel, a folder holding its unpacked packages, how it was built)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    site = tmp / "site"
    quiet = {"capture_output": True, "text": True, "cwd": src}
    if _can_build_wheels():
        # What `pip install .` installs: offline, with this venv's setuptools.
        dist = tmp / "dist"
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                               "-q", "-w", str(dist), str(src)], check=False, **quiet)
        assert done.returncode == 0, done.stdout + done.stderr
        (wheel,) = dist.glob("liaison-*.whl")
        with zipfile.ZipFile(wheel) as zf:
            names = set(zf.namelist())
            zf.extractall(site)
        return names, site, "pip wheel"
    # An older setuptools without the `wheel` package cannot write the zip; the
    # packages' file set is build_py's output all the same (bdist_wheel zips it
    # with a .dist-info folder).
    done = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                           "--build-lib", str(site)], check=False, **quiet)
    assert done.returncode == 0, done.stdout + done.stderr
    names = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    return names, site, "setuptools build_py"


def test_the_wheel_ships_what_the_app_reads_at_run_time(built):
    names, _, how = built
    artifact = "bot/" + model.ARTIFACT_PATH.relative_to(BOT).as_posix()
    font = "bot/" + posters.FONT.relative_to(BOT).as_posix()
    expected = {"bot/migrations/env.py", "bot/migrations/script.py.mako", "config/routing.toml", artifact, font}
    assert expected <= names, (how, sorted(expected - names))
    versions = {"bot/migrations/versions/" + p.name for p in (BOT / "migrations" / "versions").glob("*.py")}
    assert versions and versions <= names, (how, sorted(versions - names))


def test_the_wheel_ships_the_console_pages_and_their_files(built):
    names, _, how = built
    console = BOT / "console"
    shipped = {"bot/" + p.relative_to(BOT).as_posix() for p in console.rglob("*")
               if p.is_file() and p.suffix in (".html", ".css", ".js", ".md", ".txt")}
    assert {"bot/console/templates/console/base.html", "bot/console/static/vendor/htmx.min.js",
            "bot/console/static/vendor/chart.umd.min.js", "bot/console/static/vendor/LICENSE-htmx.txt"} <= shipped
    assert shipped <= names, (how, sorted(shipped - names))


def test_the_wheel_ships_the_deputies_phone_pages(built):
    names, _, how = built
    shipped = {"bot/" + p.relative_to(BOT).as_posix() for p in (BOT / "mobile").rglob("*")
               if p.is_file() and p.suffix in (".html", ".css", ".js")}
    assert {"bot/mobile/templates/mobile/ticket.html", "bot/mobile/static/mobile.css",
            "bot/mobile/static/mobile.js"} <= shipped
    assert shipped <= names, (how, sorted(shipped - names))


def test_the_wheel_ships_no_development_data(built):
    names, _, how = built
    assert (ROOT / "data" / "seeds" / "seed_categories.jsonl").is_file()  # there to be left out
    leaked = [n for n in names if any(fnmatch.fnmatch(n.rsplit("/", 1)[-1], p) for p in ("seed_*.jsonl", "eval_*.jsonl"))
              or n.endswith((".jsonl", "keywords.json")) or n.startswith(("data/", "tests/", "bench/"))]
    assert not leaked, (how, leaked)


CHECK = r"""
import sys
from pathlib import Path

site, checkout = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()

def inside(path, folder):
    return Path(str(path)).resolve().is_relative_to(folder)

from bot.infra import migrate
assert (migrate.MIGRATIONS / "env.py").is_file()
assert any(p.name.endswith(".py") for p in (migrate.MIGRATIONS / "versions").iterdir())
assert migrate.head() == migrate.HEAD, migrate.head()

from bot.nlp import classify, model, routing
assert set(routing.load_table(routing.routing_path())["categories"]) >= {"城乡建设", "民政"}
text = "村里自来水停了三天了"
result = classify(text)
assert result.category == "城乡建设", result
assert routing.route(result.category, text).office == "水务站"

from bot.services.roster import posters
assert posters.FONT.is_file()

for path in (migrate.MIGRATIONS / "env.py", routing.routing_path(), model.ARTIFACT_PATH, posters.FONT):
    assert inside(path, site), path
ours = [checkout / "bot", checkout / "config", checkout / "data"]
read = [m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)
        and any(inside(m.__file__, folder) for folder in ours)]
assert not read, read

# Training needs the seed examples, which only a checkout has: it says so.
from click.testing import CliRunner
from bot.nlp.cli import nlp
out = CliRunner().invoke(nlp, ["train", "--out", "model.npz"])
assert out.exit_code == 1 and not Path("model.npz").exists(), out.output
assert "没有找到种子样本" in out.output and "LIAISON_SEEDS" in out.output and "代码仓库" in out.output, out.output
print("ok")
"""


def test_an_unpacked_wheel_migrates_routes_and_classifies_without_the_checkout(built, tmp_path):
    _, site, how = built
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "PYTHON"))}
    env["PYTHONPATH"] = str(site)  # ahead of the venv's editable install of the checkout
    done = subprocess.run([sys.executable, "-c", CHECK, str(site), str(ROOT)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), (how, done.stdout + done.stderr)
