"""tools/containers.py: which Debian mirror the base image is made from, and its cache key."""

import pytest

from tools import containers
from tools.containers import CheckFailed, apt_mirror

DEB822 = """Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
"""


@pytest.fixture
def sources(tmp_path, monkeypatch):
    def write(text: str, name: str = "debian.sources"):
        path = tmp_path / name
        path.write_text(text)
        monkeypatch.setattr(containers, "APT_SOURCES", [tmp_path / "absent.list", path])

    return write


def test_mirror_and_snapshot_date_come_from_apts_deb822_sources(sources):
    sources(DEB822)

    mirror = apt_mirror()

    assert mirror.url == "http://mirror.example/debian"
    assert mirror.key == "20250520T000000Z"


def test_one_line_sources_are_read_too(sources):
    sources(
        "deb-src http://src.example/debian bookworm main\n"
        "deb [signed-by=/etc/debian.gpg] http://mirror.example/debian/ bookworm main\n"
        "# snapshot.debian.org/archive/debian/20240101T000000Z\n",
        name="sources.list",
    )

    mirror = apt_mirror()

    assert mirror.url == "http://mirror.example/debian"
    assert mirror.key == "20240101T000000Z"


def test_without_a_snapshot_the_mirrors_release_date_is_the_key(sources, monkeypatch):
    sources("deb http://mirror.example/debian bookworm main\n", name="sources.list")
    asked = []
    # The mirror is outside the project: record the question instead of asking it.
    monkeypatch.setattr(containers, "_release_date", lambda url: asked.append(url) or "Sat, 15 Mar")

    assert apt_mirror().key == "Sat, 15 Mar"
    assert asked == ["http://mirror.example/debian"]


def test_no_bookworm_mirror_is_a_clear_failure(sources):
    sources("deb http://mirror.example/debian trixie main\n", name="sources.list")

    with pytest.raises(CheckFailed, match="no Debian bookworm mirror"):
        apt_mirror()
