"""The image installs requirements/production.txt with --require-hashes; this keeps that lock
from drifting away from pyproject.toml without anyone noticing (`make lock` refreshes it)."""

import re
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.test_docker import instructions

ROOT = Path(settings.BASE_DIR)
LOCK = ROOT / "requirements" / "production.txt"


def image_requirements() -> list[Requirement]:
    """What the image needs: pyproject's dependencies and its postgres extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["postgres"]
    return [Requirement(line) for line in lines]


def locked() -> dict[str, tuple[Version, list[str]]]:
    """name → (pinned version, its hashes), from the lock's `name==version [; marker]` entries."""
    text = re.sub(r"\s*\\\n\s*", " ", LOCK.read_text())
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(
            r"([A-Za-z0-9._-]+)==(\S+)(?: ;[^-]+)?((?: --hash=sha256:[0-9a-f]{64})*)", line
        )
        assert match, f"{LOCK.name}: not an exact pin with hashes: {line[:80]}"
        hashes = match.group(3).split()
        pins[canonicalize_name(match.group(1))] = (Version(match.group(2)), hashes)
    return pins


def test_every_dependency_is_locked_within_its_pyproject_range():
    pins = locked()
    problems = []
    for requirement in image_requirements():
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name} is not in the lock")
        elif not requirement.specifier.contains(pins[name][0], prereleases=True):
            problems.append(f"{requirement.name}=={pins[name][0]} is outside {requirement}")

    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_every_locked_package_carries_its_hashes():
    pins = locked()

    assert len(pins) > len(image_requirements())  # the dependencies' dependencies too
    assert all(hashes for _, hashes in pins.values())


def test_lock_names_no_index_or_local_path():
    # The lock is resolved against PyPI; no machine's mirror or wheel folder goes into git.
    text = LOCK.read_text()

    assert not re.search(r"^\s*-(-index-url|-extra-index-url|-find-links|f|i)\b", text, re.M)
    assert "file://" not in text


def test_lock_keeps_the_packages_extras_bring():
    # --strip-extras writes psycopg[binary] as psycopg plus psycopg-binary.
    assert {"psycopg", "psycopg-binary"} <= set(locked())


def test_image_installs_the_lock_with_hashes_before_copying_the_code():
    steps = instructions()
    install = next(i for i, (kw, rest) in enumerate(steps) if "pip install" in rest)
    copy_all = steps.index(("COPY", ". ."))

    assert "--require-hashes --requirement requirements/production.txt" in steps[install][1]
    assert ("COPY", "requirements/production.txt ./requirements/") in steps[:install]
    assert install < copy_all  # a code change does not reinstall the dependencies
