# One image for every role: web (gunicorn), worker, beat, migrations.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY config ./config
RUN pip install --no-cache-dir -e . && useradd --system --home /app liaison && mkdir -p /app/instance \
    && chown liaison /app/instance
USER liaison
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "2", "--threads", "8", \
     "--timeout", "30", "bot:create_app()"]
