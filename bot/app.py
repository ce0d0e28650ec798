"""The app factory's body: config, extensions, blueprints. Nothing else."""
from __future__ import annotations

import logging
import os
from typing import Any, Mapping

from flask import Flask

from config import settings as settings_mod
from config.logging import configure as configure_logging


def build_app(config: Mapping[str, Any] | None = None) -> Flask:
    overrides = dict(config or {})
    must_exist = overrides.pop("INSTANCE_MUST_EXIST", False)
    instance = os.path.abspath(overrides.get("INSTANCE_PATH") or settings_mod.instance_path())
    values = settings_mod.load()
    values.update(overrides)
    values["INSTANCE_PATH"] = instance
    if must_exist:
        settings_mod.check_instance(values, instance)
    app = Flask("bot", instance_path=instance, instance_relative_config=False)
    from .infra.files import private_dir

    if not must_exist or os.path.isdir(app.instance_path):
        # Only commands that may create an instance make its folder; it holds
        # personal data, so it is the service user's alone (0700).
        private_dir(app.instance_path)
    app.config.update(settings_mod.finish(values, app.instance_path))
    _derive_keys(app)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    if not app.testing and not logging.getLogger().handlers:
        configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])

    from .extensions import Liaison
    from .web import LazyView, health, observe

    app.extensions["liaison"] = Liaison(app, make_celery=_make_celery)
    app.add_url_rule("/wechat", "webhook.verify", LazyView("bot.web.webhook:verify"), methods=["GET"])
    app.add_url_rule("/wechat", "webhook.receive", LazyView("bot.web.webhook:receive"), methods=["POST"])
    app.register_blueprint(health.bp)
    app.add_url_rule("/metrics", "metrics", LazyView("bot.web.metrics:scrape"), methods=["GET"])
    observe.install(app)  # request ids and the webhook's latency
    # The staff console: routes now, its extensions on the first HTTP request.
    from .console import register as register_console

    register_console(app)
    # The deputies' phone pages (/m/), opened inside WeChat.
    from .mobile import register as register_mobile

    register_mobile(app)
    if app.config["PROXY_COUNT"] > 0:
        # Behind a TLS proxy every client would otherwise share the proxy's
        # address (login limits, audit) and every request would look like http.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    return app


def _derive_keys(app: Flask) -> None:
    """Every use of the secret gets its own derived key; Flask signs with one
    and still accepts cookies signed with the older keys of a rotation."""
    from .keys import KeyRing

    ring = KeyRing(app.config["SECRET_KEY"])  # WeakKey (a ValueError) when short
    app.config["KEYRING"] = ring
    flask_keys = [key.hex() for key in ring.keys("flask-session")]
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = flask_keys[0], flask_keys[1:]


def _make_celery(flask_app: Flask, redis_url: str) -> Any:
    # Imported when first needed: Celery is heavy and commands rarely enqueue.
    from .jobs.celery import make_celery

    return make_celery(flask_app, redis_url)
