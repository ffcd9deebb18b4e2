"""The page cache, its stamp and the edge purge are one unit that apps tell what changed:
it imports no app and not the project package, so nothing imports in a circle."""

import ast
from pathlib import Path

from django.conf import settings

PACKAGE = Path(settings.BASE_DIR) / "frontcache"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_frontcache_imports_neither_the_apps_nor_the_project():
    found = {
        str(path.relative_to(PACKAGE)): roots
        for path in PACKAGE.rglob("*.py")
        if (roots := imported_roots(path) & {"articles", "intake", "outcomes", "hartrehab"})
    }

    assert found == {}
