"""Process commands: serve (everything on one machine), worker, beat."""
from __future__ import annotations

import logging
import os
import sys

import click

from ..extensions import current
from .context import creates_instance, load_app, with_appcontext
from .supervise import Supervisor

log = logging.getLogger(__name__)


@creates_instance
@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听的地址。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="监听的端口。")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="网页进程数（默认：PostgreSQL 时 4 个，SQLite 时 1 个）。")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="每个网页进程的请求线程数。")
@click.option("--concurrency", default=16, show_default=True, help="后台任务线程数（推送并行发送）。")
def serve(host: str, port: int, workers: int | None, threads: int, concurrency: int) -> None:
    """在本机运行全部服务：网页、后台任务进程和定时任务。"""
    _check_port(host, port)  # before anything is built or started: a busy port fails at once
    with load_app().app_context():
        _serve(host, port, workers, threads, concurrency)


def web_workers(database_url: str, asked: int | None) -> int:
    """4 gthread workers on PostgreSQL: the fastest shape measured on 2 cores
    (bench/ratio.py, docs/sizing.md); 1 on SQLite, which has one writer at a time."""
    if asked:
        return asked
    return 1 if database_url.startswith("sqlite") else 4


def _serve(host: str, port: int, workers: int | None, threads: int, concurrency: int) -> None:
    from ..infra.migrate import upgrade

    ext = current()
    upgrade(ext.engine)
    ext.engine.dispose()
    # Children and the web process use the same Redis (embedded if no URL) and instance folder.
    os.environ["LIAISON_REDIS_URL"] = ext.redis_url
    os.environ["LIAISON_INSTANCE_PATH"] = ext.settings["INSTANCE_PATH"]
    os.environ["LIAISON_DATABASE_URL"] = ext.settings["DATABASE_URL"]
    _metrics_dir(ext.settings["INSTANCE_PATH"])
    click.echo(banner(ext, host, port))
    # Threads, not processes: a push waits on WeChat's API, so many can wait at once.
    worker = Supervisor([sys.executable, "-m", "bot.cli", "worker", "--beat", "--pool", "threads",
                         "--concurrency", str(concurrency)], "后台任务进程").start()
    try:
        _gunicorn(host, port, web_workers(ext.settings["DATABASE_URL"], workers), threads)
    finally:
        worker.stop()


def _metrics_dir(instance: str) -> None:
    """The web workers and the Celery worker each write their metrics to one
    folder in the instance, emptied at every start; /metrics sums them. Set
    before any of them imports prometheus_client (bot/metrics.py says why)."""
    if "prometheus_client" in sys.modules:  # a bug: the web worker forked from here would count alone
        log.error("prometheus_client imported before PROMETHEUS_MULTIPROC_DIR was set: /metrics will miss "
                  "the worker's figures")
    from ..infra.files import empty_dir

    # Emptied before the variable is set and anything counts (bot.metrics's import opens its files).
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = empty_dir(os.path.join(instance, "metrics"))


def banner(ext, host: str, port: int) -> str:
    """What `serve` prints first: where, which mode (the AppID, never a secret), which data."""
    mode = ("沙箱模式（不连微信，推送只记录在本地；只接受本机发来的消息）" if ext.sandbox
            else f"正式模式（连接微信公众号 AppID {ext.settings['WECHAT_APP_ID']}）")
    return (f"Liaison 已启动：http://{host}:{port}/wechat\n"
            f"  运行模式：{mode}\n  实例：{ext.settings['INSTANCE_PATH']}\n"
            f"  数据库：{ext.engine.url.render_as_string(hide_password=True)}")


def _check_port(host: str, port: int) -> None:
    """Refuse at once, in Chinese, when the address is taken or cannot be used."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise click.ClickException(f"无法识别监听地址 {host}，请检查 --host。") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(
                    f"端口 {port} 已被占用（{host}:{port}），可能已经有一个 liaison serve 在运行。"
                    f"请先停止它，或用 --port 换一个端口。") from None
            raise click.ClickException(f"无法监听 {host}:{port}：{exc.strerror}") from None


def _gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from ..web.gunicorn_conf import child_exit, post_worker_init

    class Web(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", 30)
            self.cfg.set("accesslog", "-")
            # The path without the query: WeChat puts the sender's openid there.
            self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms')
            self.cfg.set("post_worker_init", post_worker_init)
            self.cfg.set("child_exit", child_exit)

        def load(self):
            from .. import create_app

            return create_app()

    Web().run()


@click.command()
@click.option("--concurrency", default=2, show_default=True, type=int, help="进程数。")
@click.option("--pool", default="prefork", show_default=True,
              type=click.Choice(["prefork", "threads", "solo"]), help="并发方式。")
@click.option("--beat", is_flag=True, help="同时在本进程运行定时任务。")
@click.option("--metrics-port", default=0, type=click.IntRange(0, 65535),
              help="在此端口提供本进程的 Prometheus 指标（容器单独运行时用；0 表示不提供）。")
@with_appcontext
def worker(concurrency: int, pool: str, beat: bool, metrics_port: int) -> None:
    """运行后台任务进程（生产环境按需运行多个；两个定时任务同时运行时，每项只发一次）。"""
    ext = current()
    if metrics_port:
        from ..metrics import serve_worker_metrics

        serve_worker_metrics(metrics_port)
    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", f"--pool={pool}"]
    if beat:
        argv += ["--beat", f"--schedule={os.path.join(ext.settings['INSTANCE_PATH'], 'celerybeat-schedule')}"]
    ext.celery.worker_main(argv)


@click.command()
@with_appcontext
def beat() -> None:
    """运行定时任务（多运行一个也不会重复发送：每项每个时段只发一次）。"""
    ext = current()
    schedule = os.path.join(ext.settings["INSTANCE_PATH"], "celerybeat-schedule")
    ext.celery.start(["beat", "--loglevel=INFO", f"--schedule={schedule}"])
