# One image for every role: web (gunicorn), worker, beat, migrations.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# A plain (non-editable) install: the app finds its migrations, routing table,
# model and font through the installed packages, so the source is removed after
# it. The `refine` extra: the worker's second look at unsure categories (bot/nlp/refine.py).
# Development data (data/: seeds, evaluation sets) is not copied, never shipped.
WORKDIR /app
COPY pyproject.toml README.md /src/
COPY bot /src/bot
COPY config /src/config
RUN pip install --no-cache-dir '/src[refine]' && rm -rf /src && useradd --system --home /app liaison \
    && mkdir -p /app/instance /tmp/liaison-metrics && chown liaison /app/instance /tmp/liaison-metrics
# Logs one JSON object a line; metrics of every process of the container summed
# by /metrics (gunicorn's on_starting empties the folder, child_exit marks dead workers).
ENV LIAISON_LOG_FORMAT=json PROMETHEUS_MULTIPROC_DIR=/tmp/liaison-metrics
USER liaison
EXPOSE 8000
CMD ["gunicorn", "--config", "python:bot.web.gunicorn_conf", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", \
     "--workers", "4", "--threads", "8", "--timeout", "30", "bot:create_app()"]
