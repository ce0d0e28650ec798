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
    instance = overrides.get("INSTANCE_PATH") or os.environ.get("LIAISON_INSTANCE_PATH") \
        or os.path.join(os.getcwd(), "instance")
    app = Flask("bot", instance_path=os.path.abspath(instance), instance_relative_config=False)
    values = settings_mod.load()
    values.update(overrides)
    values["INSTANCE_PATH"] = app.instance_path
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings_mod.finish(values, app.instance_path))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    if not app.testing and not logging.getLogger().handlers:
        configure_logging(app.config["LOG_LEVEL"])

    from .extensions import Liaison
    from .web import health, webhook

    app.extensions["liaison"] = Liaison(app)
    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    return app
