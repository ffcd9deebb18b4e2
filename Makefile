# Two commands matter: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# `make run` serves plain HTTP on a laptop; every value can be overridden from the environment.
RUN_ENV = DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret_key)}" \
	DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-0}" \
	DJANGO_SECURE_COOKIES="$${DJANGO_SECURE_COOKIES:-0}"

.PHONY: install run manage dev test lint format check-migrations bench clean audit screenshots \
	image-test lock cluster-test

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres]"
	touch $@

install: $(INSTALLED)

# A local secret for `make run`, created once and kept out of git.
.secret_key:
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: install .secret_key
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py setup_roles --verbosity 0
	$(RUN_ENV) $(BIN)/python manage.py load_content --keep-admin-work
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) BIN=$(BIN) scripts/serve.sh

# Any manage.py command with the same virtualenv and secret as `make run`, e.g.
# make manage ARGS="invite_staff ray@example.org --role medical-reviewer --print-link"
manage: install .secret_key
	@$(RUN_ENV) $(BIN)/python manage.py $(ARGS)

# Django's development server with debug pages and auto-reload (not what patients get).
# Staff emails wait in the queue unless a worker runs too: `.venv/bin/python manage.py db_worker`.
dev: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_content --keep-admin-work
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# SECURITY: the Dockerfile and shell scripts (also checked in tests/test_docker.py)
	$(BIN)/hadolint Dockerfile
	$(BIN)/shellcheck docker/*.sh scripts/*.sh

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

test: lint check-migrations
	$(BIN)/pytest

# Measures the site as deployed and writes docs/BENCHMARKS.md (several minutes; needs wrk).
bench: install
	command -v wrk >/dev/null || (apt-get install -y -qq wrk || sudo apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) staticfiles

# --- Audits and screenshots ----------------------------------------------------
# Lighthouse and the Nu HTML Checker come from npm, pinned exactly in package-lock.json.
# --ignore-scripts: vnu-jar's install script would download a Java, which we have (apt).
NODE_INSTALLED := node_modules/.installed

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Lighthouse (mobile) and vnu on every public page of a local gunicorn site it starts and
# stops itself; prints a table and fails below 100 or on any HTML error. Needs Chromium, Java.
audit: install $(NODE_INSTALLED)
	$(BIN)/python -m tools.audit

# Article, form with errors and thanks page at 375 and 1280 px into docs/screenshots/.
screenshots: install
	$(BIN)/python -m tools.screenshots

# --- The image's requirements, locked with hashes --------------------------------------------
# requirements/production.txt pins every package the image installs (pyproject's dependencies
# and the postgres extra) with the sha256 of each file on PyPI, for any Python 3.11+ (a pin
# only some versions need carries its marker); the Dockerfile installs it with
# --require-hashes. Re-run after changing pyproject.toml's dependencies: pins that still fit
# are kept. `make lock LOCK_ARGS=--upgrade` moves every pin to the newest allowed. Resolved
# against PyPI alone, whatever this machine's pip or uv configuration says.
LOCK_FILE := requirements/production.txt
lock: install
	env -u UV_INDEX -u UV_EXTRA_INDEX_URL -u UV_FIND_LINKS \
		$(BIN)/uv pip compile --no-config --quiet --universal --python-version 3.11 --generate-hashes --extra postgres \
		--custom-compile-command "make lock" \
		--output-file $(LOCK_FILE) $(LOCK_ARGS) pyproject.toml

# --- The image, built and run with podman ----------------------------------------------------
# Builds the Dockerfile on a Debian base made with debootstrap (cached), runs it against a
# PostgreSQL database of its own on 127.0.0.1:5432 and checks it as a user would (README
# "Deploy"). Needs root, podman, runc and debootstrap; removes everything it started.
image-test: install
	$(BIN)/python -m tools.image_test

# Three containers of the image behind HAProxy (deploy/haproxy.cfg) with a self-signed TLS
# certificate, sharing PostgreSQL and Redis on this machine: publish propagation, the rate
# limit across nodes, a node killed during a burst, a rolling restart, each node's /metrics,
# then Varnish in front (purge on publish, served with every node down). Writes the figures
# and the command lines each step ran to docs/DEPLOY.md (README "Deploy").
# Needs what image-test needs, and haproxy, varnish and curl.
cluster-test: install
	$(BIN)/python -m tools.cluster_test
