"""The layers of successkit: every module imports only what stands below it, and no two
modules import each other, directly or round a loop.

The imports are read from the source (``ast``), not by importing it, so every import counts:
module level, inside functions and methods, ``from . import x`` and other relative imports,
and imports under ``if TYPE_CHECKING:`` — a type-only import still means the module cannot
be read without the one it names, and hiding an upward import there is what this test is
for. ``import_module`` calls and ``__import__`` are not followed (none reaches successkit).

``from package import name`` counts as an import of ``package.name`` when that is a module,
and of ``package`` (its ``__init__``) otherwise. The implicit import of a parent package's
``__init__`` that Python performs before a submodule is not counted: every module of a
package would otherwise form a loop with the ``__init__`` that re-exports it.

See docs/architecture.md for the picture.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = "successkit"

#: The layers, lowest first. A module may import modules of its own layer (without loops)
#: and of any layer below; never one above. A package is named by its first component
#: under ``successkit``; ``contracts`` and ``usage`` are listed before they exist.
LAYERS: tuple[tuple[str, ...], ...] = (
    # errors and the private helpers that know no domain
    ("errors", "_arrays", "_optional", "_html", "_grid", "_fingerprint", "_keys", "_rows",
     "_options", "_sample_accounts", "_sample_events", "_plotting"),
    ("data",),  # accounts, portfolios, histories, event and contract tables, conversion
    ("dsl",),  # the expression and playbook language
    ("contracts",),  # contract periods, renewals, churn dates
    ("usage",),  # windowed usage metrics from events
    ("scoring",),  # the health model, its fitting and calibration cores
    ("touch",),  # touch points, the touch model, health × touch quadrants
    ("roadmap",),  # stages, tasks, roadmaps, plans
    ("outcomes",),  # validation, fitting, calibration, backtests, revenue for any score
    # the top; the sample generators that need the domain stand with datasets.py
    ("dask", "_dask_usage", "_dask_partitions", "datasets", "_sample_data", "_sample_usage",
     "_sample_contracts", "_demo", "__main__", "__init__"),
)
RANK: dict[str, int] = {name: level for level, names in enumerate(LAYERS) for name in names}


def module_name(path: Path, src: Path = SRC) -> str:
    """``successkit.scoring.health`` for ``src/successkit/scoring/health.py``."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of successkit by dotted name."""
    return {module_name(p, src): p for p in sorted((src / ROOT).rglob("*.py"))}


def imports(path: Path, name: str, known: Iterable[str]) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every import of a successkit module in the file at ``path``
    (module ``name``), wherever in the file it stands."""
    known = set(known)
    package = name if is_package(path) else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == ROOT or alias.name.startswith(ROOT + "."):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not (target == ROOT or target.startswith(ROOT + ".")):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield node.lineno, sub if sub in known else target


def layer(name: str) -> int:
    """The layer of module ``name`` (KeyError: a module missing from :data:`LAYERS`)."""
    parts = name.split(".")
    return RANK["__init__" if len(parts) == 1 else parts[1]]


def has_layer(name: str) -> bool:
    try:
        layer(name)
    except KeyError:
        return False
    return True


def graph(src: Path = SRC) -> dict[str, list[tuple[int, str]]]:
    """Each module's imports of other successkit modules, with their lines."""
    found = modules(src)
    out: dict[str, list[tuple[int, str]]] = {}
    for name, path in found.items():
        out[name] = [(line, target) for line, target in imports(path, name, found)
                     if target != name]
    return out


def upward(edges: Mapping[str, list[tuple[int, str]]], files: Mapping[str, Path]) -> list[str]:
    """A message for every import of a module in a higher layer (modules without a layer are
    left to :func:`test_every_module_has_a_layer`)."""
    bad = []
    for name, targets in edges.items():
        for line, target in targets:
            if not (has_layer(name) and has_layer(target)):
                continue
            if layer(target) > layer(name):
                bad.append(
                    f"{files[name]}:{line}: {name} (layer {layer(name)}) imports {target} "
                    f"(layer {layer(target)}), which stands above it"
                )
    return bad


def cycles(edges: Mapping[str, list[tuple[int, str]]]) -> list[list[str]]:
    """The import loops: strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for _, nxt in edges.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def describe(group: list[str], edges: Mapping[str, list[tuple[int, str]]],
             files: Mapping[str, Path]) -> str:
    members = set(group)
    ties = [f"  {files[a]}:{line}: imports {b}" for a in group for line, b in edges[a]
            if b in members]
    return "import loop between " + ", ".join(group) + "\n" + "\n".join(ties)


# -- the house -------------------------------------------------------------------------------


def test_every_module_has_a_layer() -> None:
    missing = [name for name in modules() if not has_layer(name)]
    assert not missing, f"add these modules' packages to LAYERS: {missing}"


def test_no_upward_imports() -> None:
    files = modules()
    bad = upward(graph(), files)
    assert not bad, "\n".join(bad)


def test_no_import_cycles() -> None:
    files = modules()
    edges = graph()
    loops = cycles(edges)
    assert not loops, "\n".join(describe(g, edges, files) for g in loops)


def test_the_graph_is_read() -> None:
    # Guards the reader itself: known imports of the real tree must be seen.
    edges = graph()
    assert any(t == "successkit.scoring.health" for _, t in edges["successkit.dask"])
    assert any(t == "successkit.data.portfolio" for _, t in edges["successkit.scoring.health"])


# -- the checker on small made-up trees ------------------------------------------------------


def _tree(tmp_path: Path, files: Mapping[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_an_upward_import_in_a_function_is_caught(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "__init__.py": "",
        "data/__init__.py": "",
        "data/portfolio.py": "def f():\n    from successkit.scoring.health import HealthModel\n",
        "scoring/__init__.py": "",
        "scoring/health.py": "from successkit.data.portfolio import f\n",
    })
    bad = upward(graph(src), modules(src))
    assert len(bad) == 1
    assert "portfolio.py:2: successkit.data.portfolio (layer 1) imports " \
           "successkit.scoring.health (layer 5)" in bad[0]


def test_a_type_checking_import_counts(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "__init__.py": "",
        "data/__init__.py": "",
        "data/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                     "    from successkit.touch import b\n",
        "touch/__init__.py": "",
        "touch/b.py": "",
    })
    bad = upward(graph(src), modules(src))
    assert len(bad) == 1
    assert "imports successkit.touch.b" in bad[0]


def test_a_relative_loop_is_caught(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "__init__.py": "",
        "dsl/__init__.py": "",
        "dsl/playbook.py": "from . import replay\n",
        "dsl/replay.py": "def g():\n    from .playbook import Playbook\n",
        "dsl/other.py": "from successkit.dsl import replay\n",
    })
    edges = graph(src)
    assert cycles(edges) == [["successkit.dsl.playbook", "successkit.dsl.replay"]]
    text = describe(cycles(edges)[0], edges, modules(src))
    assert "replay.py:2: imports successkit.dsl.playbook" in text


def test_a_loop_through_package_imports_is_caught(tmp_path: Path) -> None:
    # ``from successkit.data import b`` names the module b, not the package's __init__.
    src = _tree(tmp_path, {
        "__init__.py": "",
        "data/__init__.py": "from successkit.data.a import f\n",
        "data/a.py": "from successkit.data import b\ndef f():\n    pass\n",
        "data/b.py": "import successkit.data.a\n",
    })
    edges = graph(src)
    assert cycles(edges) == [["successkit.data.a", "successkit.data.b"]]
    assert not upward(edges, modules(src))


def test_the_real_checks_fail_on_a_made_up_house(tmp_path: Path) -> None:
    # The checks the tests above run on src/, on a tree with one upward import and one loop.
    src = _tree(tmp_path, {
        "__init__.py": "",
        "errors.py": "from successkit.data import column\n",
        "data/__init__.py": "",
        "data/column.py": "",
        "scoring/__init__.py": "",
        "scoring/a.py": "from . import b\n",
        "scoring/b.py": "if False:\n    from .a import x\n",
    })
    edges, files = graph(src), modules(src)
    assert [m.split(": ", 1)[1] for m in upward(edges, files)] == [
        "successkit.errors (layer 0) imports successkit.data.column (layer 1), which stands "
        "above it"
    ]
    assert cycles(edges) == [["successkit.scoring.a", "successkit.scoring.b"]]


@pytest.mark.parametrize(("name", "level"), [
    ("successkit", 9), ("successkit.errors", 0), ("successkit.data.convert", 1),
    ("successkit.usage", 4), ("successkit.outcomes.validation", 8),
])
def test_layers_of_names(name: str, level: int) -> None:
    assert layer(name) == level
