"""The shape of the code: migrations that stand on their own.

The test reads the source with ``ast`` rather than importing it, so it sees every import,
including those inside functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "incidents" / "migrations"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import under ``node``, at any depth, except those only a type checker runs."""
    for child in ast.iter_child_nodes(node):
        checked = isinstance(child, ast.If) and _is_type_checking(child.test)
        for statement in child.orelse if checked else [child]:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                yield statement
            yield from _import_nodes(statement)


def test_no_migration_imports_the_apps_own_modules():
    offending = []
    for path in sorted(MIGRATIONS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _import_nodes(tree):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            relative = isinstance(node, ast.ImportFrom) and node.level > 0
            if relative or any(name == "incidents" or name.startswith("incidents.") for name in names):
                offending.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")

    # A migration that runs the app's code changes what it does whenever that code changes.
    assert offending == [], "Migrations must freeze what they need:\n" + "\n".join(offending)
