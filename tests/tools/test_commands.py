"""tools/commands.py: the command lines docs/DEPLOY.md shows, with every secret hidden."""

import secrets

from tools.commands import HIDDEN, Recorder


def secret_values() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECRET_KEY_FALLBACKS": secrets.token_urlsafe(50),
        "METRICS_TOKEN": secrets.token_urlsafe(24),
        "EMAIL_HOST_PASSWORD": secrets.token_hex(12),
        "FRONTCACHE_CLOUDFLARE_API_TOKEN": secrets.token_hex(16),
    }


def test_secret_values_never_reach_the_report_wherever_they_were_passed(tmp_path):
    hidden = secret_values()
    db_password = secrets.token_hex(10)
    env = {
        **hidden,
        "DATABASE_URL": f"postgres://site:{db_password}@db.internal:5432/site",
        "REDIS_URL": "redis://127.0.0.1:6379/11",
        "WEB_CONCURRENCY": "2",
    }
    record = Recorder()
    env_file = tmp_path / "env"
    with record.step("a node"):
        record.wrote(env_file, env)
        record.ran(["podman", "run", "--env-file", str(env_file), "hartrehab:ci"])
        record.ran(["haproxy", "-db"], env={"PATH": "/usr/bin", **env})
        token = hidden["METRICS_TOKEN"]
        record.ran(["curl", "--header", f"Authorization: Bearer {token}", "http://x/metrics"])
        record.sent("HAProxy's runtime API", f"set server nodes/node1 state drain {token}")
        record.note(f"the key was {hidden['DJANGO_SECRET_KEY']}")

    text = record.markdown()

    leaked = [name for name, value in hidden.items() if value in text]
    assert leaked == []
    assert db_password not in text
    # What a reader needs is still there: the names, the values that are not secret.
    for name in env:
        assert f"{name}=" in text
    assert f"DJANGO_SECRET_KEY={HIDDEN}" in text
    assert f"postgres://site:{HIDDEN}@db.internal:5432/site" in text
    assert "REDIS_URL=redis://127.0.0.1:6379/11" in text
    assert f'"Authorization: Bearer {HIDDEN}"' in text


def test_a_secret_is_hidden_in_commands_recorded_after_its_environment_was_declared():
    record = Recorder()
    token = secrets.token_urlsafe(24)
    record.hide_secrets_of({"METRICS_TOKEN": token, "SITE_URL": "https://127.0.0.1"})

    with record.step("a scrape"):
        record.ran(["curl", "--header", f"Authorization: Bearer {token}"])

    assert token not in record.markdown()
    assert "https://127.0.0.1" not in record.secrets


def test_only_commands_inside_a_step_are_recorded_and_run_specific_values_are_named():
    record = Recorder()
    record.ran(["podman", "inspect", "before"])
    record.name(41234, "$NODE1_PORT")
    record.name("/tmp/hartrehab-x1", "$RUN_DIR")

    with record.step("HAProxy"):
        record.ran(["haproxy", "-f", "/tmp/hartrehab-x1/haproxy.cfg"], env={"BIND": "[::1]:41234"})
    record.ran(["podman", "inspect", "after"])

    text = record.markdown()
    assert "inspect" not in text
    assert '"[::1]:$NODE1_PORT"' in text
    assert "haproxy -f $RUN_DIR/haproxy.cfg" in text
    assert record.placeholders("141234 41234") == "141234 $NODE1_PORT"  # ports, not digits


def test_a_second_environment_file_shows_only_what_differs():
    record = Recorder()
    with record.step("nodes"):
        for port, extra in ((1001, {"ENTRYPOINT_MIGRATE": "1"}), (1002, {})):
            path = f"/tmp/env{port}"
            record.wrote(path, {"WEB_CONCURRENCY": "2", "GUNICORN_BIND": f"x:{port}", **extra})
            record.ran(["podman", "run", "--env-file", path, "hartrehab:ci"])

    text = record.markdown()

    assert text.count("WEB_CONCURRENCY=2") == 1
    assert "#   GUNICORN_BIND=x:1002" in text
    assert "(without ENTRYPOINT_MIGRATE)" in text
