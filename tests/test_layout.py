"""The layers: apps do not import the project package `hartrehab`; the page cache
(`frontcache`) and the shared packages (`appendonly`, `staffroles`) import no app either, so
nothing imports in a circle."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
APPS = ("articles", "intake", "outcomes", "frontcache", "appendonly")
SHARED = ("frontcache", "appendonly", "staffroles")


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str):
    """Every module of `package` but its migrations."""
    root = BASE / package
    assert (root / "__init__.py").exists()
    return [path for path in root.rglob("*.py") if "migrations" not in path.parts]


def imports_of(package: str, forbidden: set[str]) -> dict[str, set[str]]:
    return {
        str(path.relative_to(BASE)): roots
        for path in modules(package)
        if (roots := imported_roots(path) & forbidden)
    }


@pytest.mark.parametrize("app", APPS)
def test_apps_do_not_import_the_project_package(app):
    assert imports_of(app, {"hartrehab"}) == {}


@pytest.mark.parametrize("package", SHARED)
def test_shared_packages_import_neither_the_apps_nor_the_project(package):
    assert imports_of(package, {"articles", "intake", "outcomes", "hartrehab"}) == {}


def test_the_walk_finds_a_forbidden_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("import os\nfrom hartrehab.roles import EDITORS\nfrom . import sibling\n")

    assert imported_roots(module) == {"os", "hartrehab"}
