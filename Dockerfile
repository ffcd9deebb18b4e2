# First working image (the production issue hardens it further).
FROM python:3.11.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml ./
COPY hartrehab ./hartrehab
COPY articles ./articles
COPY intake ./intake
RUN python -m venv /venv && /venv/bin/pip install ".[postgres]"

FROM python:3.11.11-slim-bookworm
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8000
RUN useradd --system --uid 10001 --home-dir /app hartrehab
WORKDIR /app
COPY --from=builder /venv /venv
COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
USER hartrehab
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "hartrehab.wsgi"]
