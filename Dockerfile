# Production image: gunicorn and whitenoise against PostgreSQL, run as a non-root user.
# `make image-test` builds it with podman and checks it running (README "Deploy");
# tests/test_docker.py lints this file (hadolint) and runs the entrypoint and health check.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/venv/bin:$PATH
WORKDIR /app
RUN python -m venv /venv
# Dependencies first, in their own layer, exactly as locked by `make lock`: pip checks every
# file's sha256. The project itself runs from /app, not site-packages, so it is not installed.
COPY requirements/production.txt ./requirements/
RUN pip install --no-cache-dir --require-hashes --requirement requirements/production.txt
COPY . .
# Hashed, compressed static files are part of the image; nothing is written at run time.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
    python manage.py collectstatic --noinput --verbosity 0

FROM ${PYTHON_IMAGE}
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8000 \
    GUNICORN_WORKER_TMP_DIR=/dev/shm
RUN groupadd --system --gid 10001 hartrehab \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin hartrehab
WORKDIR /app
# Owned by root and read-only to the app's user: a compromised worker cannot change the code.
COPY --from=builder /venv /venv
COPY --from=builder /app /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "docker/healthcheck.py"]
ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "hartrehab.wsgi"]
