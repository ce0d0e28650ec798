"""Process commands: serve (everything on one machine), worker, beat."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import click
from flask.cli import with_appcontext

from ..extensions import current


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, help="Web request threads.")
@click.option("--concurrency", default=2, show_default=True, help="Celery worker processes.")
@with_appcontext
def serve(host: str, port: int, threads: int, concurrency: int) -> None:
    """Run the web app, the Celery worker and the scheduler in one command."""
    from ..migrate import upgrade

    ext = current()
    upgrade(ext.engine)
    ext.engine.dispose()
    # Children and the web process use the same Redis (embedded if no URL) and instance folder.
    os.environ["LIAISON_REDIS_URL"] = ext.redis_url
    os.environ["LIAISON_INSTANCE_PATH"] = ext.settings["INSTANCE_PATH"]
    os.environ["LIAISON_DATABASE_URL"] = ext.settings["DATABASE_URL"]
    mode = "sandbox" if ext.sandbox else "WeChat"
    click.echo(f"Liaison on http://{host}:{port}/wechat ({mode} mode, database {ext.engine.url.render_as_string()})")
    worker_proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--beat",
                                    "--concurrency", str(concurrency)])
    try:
        _gunicorn(host, port, threads)
    finally:
        worker_proc.send_signal(signal.SIGTERM)
        try:
            worker_proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker_proc.kill()


def _gunicorn(host: str, port: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Web(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", 30)
            self.cfg.set("accesslog", "-")
            # The path without the query: WeChat puts the sender's openid there.
            self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms')

        def load(self):
            from .. import create_app

            return create_app()

    Web().run()


@click.command()
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option("--pool", default="prefork", show_default=True,
              type=click.Choice(["prefork", "threads", "solo"]))
@click.option("--beat", is_flag=True, help="Also run the scheduler in this process.")
@with_appcontext
def worker(concurrency: int, pool: str, beat: bool) -> None:
    """Run a Celery worker (production: as many as needed, one --beat or a separate `beat`)."""
    ext = current()
    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", f"--pool={pool}"]
    if beat:
        argv += ["--beat", f"--schedule={os.path.join(ext.settings['INSTANCE_PATH'], 'celerybeat-schedule')}"]
    ext.celery.worker_main(argv)


@click.command()
@with_appcontext
def beat() -> None:
    """Run the Celery beat scheduler (exactly one per deployment)."""
    ext = current()
    schedule = os.path.join(ext.settings["INSTANCE_PATH"], "celerybeat-schedule")
    ext.celery.start(["beat", "--loglevel=INFO", f"--schedule={schedule}"])
