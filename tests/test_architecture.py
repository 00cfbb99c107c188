"""The shape of the code: migrations that stand on their own, and imports that go one way.

The tests read the source with ``ast`` rather than importing it, so they see every import,
including those inside functions, where a cycle is usually hidden.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "incidents", "bench")
MIGRATIONS = ROOT / "incidents" / "migrations"

# Import cycles that exist in code being reorganised elsewhere, and are being removed there.
# Imports between the two modules of a pair are left out of the graph; any other cycle fails.
ALLOWED_CYCLES: frozenset[frozenset[str]] = frozenset({})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


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


def imported_names(path: Path) -> Iterator[str]:
    """The dotted names the file at ``path`` imports: modules, and ``module.name`` for each
    name taken from a module (which may itself be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        yield base
        yield from (f"{base}.{alias.name}" for alias in node.names if alias.name != "*")


def import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    modules = project_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported in imported_names(path):
            if imported in modules and imported != name:
                graph[name].add(imported)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def without_allowed(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        name: {target for target in targets if frozenset({name, target}) not in ALLOWED_CYCLES}
        for name, targets in graph.items()
    }


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


def test_the_project_has_no_import_cycles():
    found = cycles(without_allowed(import_graph()))

    assert found == [], "Import cycles:\n" + "\n".join(" <-> ".join(cycle) for cycle in found)


def test_every_allowed_cycle_is_still_a_cycle():
    in_cycles = [set(cycle) for cycle in cycles(import_graph())]
    gone = [sorted(pair) for pair in ALLOWED_CYCLES if not any(pair <= cycle for cycle in in_cycles)]

    assert gone == [], f"No longer import cycles; take them out of ALLOWED_CYCLES: {gone}"


# The demo data and the synthetic data write through the domain: models, the services and the
# reconciliation that editors' writes go through too, and the history's bulk pause. Never through
# the web layer (views, admin, serializers, exports), so what they load does not depend on a page.
DATA_WRITERS = ("incidents.demo", "bench.synthetic")
DATA_WRITERS_MAY_IMPORT = (
    "incidents.demo",
    "incidents.models",
    "incidents.services",
    "incidents.merging",
    "incidents.reconcile",
    "incidents.history",
    # A bulk load of generated data builds the read model once, at its end.
    "incidents.readmodel",
)


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in prefixes)


def test_the_demo_and_synthetic_data_write_through_the_domain_only():
    graph = import_graph()
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _within(module, DATA_WRITERS)
        for target in targets
        # ``from incidents import services`` names the package too.
        if not _within(target, DATA_WRITERS_MAY_IMPORT) and not module.startswith(f"{target}.")
    )

    assert offending == [], "\n".join(offending)
    assert any(_within(module, ("incidents.demo",)) for module in graph)  # the rule has something to check
