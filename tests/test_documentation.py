"""Every environment variable the code reads is documented in README.md and .env.example."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
READERS = [
    ROOT / "hartrehab" / "settings.py",
    ROOT / "hartrehab" / "limits.py",
    ROOT / "gunicorn.conf.py",
    *sorted((ROOT / "docker").glob("*")),
]
READ = re.compile(
    r'(?:env|env_bool|env_list|os\.environ\.get)\(\s*"([A-Z][A-Z0-9_]+)"|\$\{([A-Z][A-Z0-9_]+):-'
)


def variables_read() -> set[str]:
    names = {"DATABASE_URL"}  # read by dj_database_url.config()
    for path in READERS:
        names |= {a or b for a, b in READ.findall(path.read_text())}
    return names - {"PATH"}


def test_every_variable_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()

    assert sorted(n for n in variables_read() if f"`{n}`" not in readme) == []


def test_every_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))

    assert sorted(variables_read() - listed) == []
