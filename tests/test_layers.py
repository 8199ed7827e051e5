"""The layers of docs/internals.md, checked over the source tree: a module imports only its own layer or lower ones.

Every import counts, also one inside a function. Lowest first; a module belongs to the layer of its
longest matching prefix (etl/publish.py writes what indicators/ computed, so it sits above indicators/).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = (
    ("core", ("core",)),
    ("etl", ("etl",)),
    ("expectations", ("expectations",)),
    ("indicators", ("indicators",)),
    ("publication", ("etl.publish", "etl.publication")),
    ("dashboard", ("dashboard",)),
    ("app", ("wijkmonitor",)),
)
PREFIXES = {prefix: rank for rank, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes}
PACKAGES = sorted({prefix.split(".")[0] for prefix in PREFIXES})


def _rank(module: str) -> int | None:
    """The layer rank of a project module (None for anything outside the project)."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        rank = PREFIXES.get(".".join(parts[:length]))
        if rank is not None:
            return rank
    return None


def _module(path: Path) -> str:
    """The dotted module name of a source file."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every absolute module a source file imports (`from a import b` counts as a and as a.b)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}: relative import; the layer check reads absolute imports only")
    return found


def _sources() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def upward_imports(sources: list[Path]) -> list[str]:
    """'module -> imported' for every import of a higher layer than the importing module's."""
    found = []
    for path in sources:
        module = _module(path)
        own = _rank(module)
        for imported in sorted(_imports(path)):
            rank = _rank(imported)
            if rank is not None and rank > own:
                found.append(f"{module} ({LAYERS[own][0]}) -> {imported} ({LAYERS[rank][0]})")
    return found


def test_core_imports_nothing_of_the_project() -> None:
    core = [path for path in _sources() if _module(path).split(".")[0] == "core"]
    assert core
    assert {imported for path in core for imported in _imports(path) if _rank(imported) not in (None, 0)} == set()


def test_no_layer_imports_a_higher_one() -> None:
    assert upward_imports(_sources()) == []


def test_every_installed_package_has_a_layer() -> None:
    """A new top-level package must be placed in LAYERS (and in docs/internals.md) before it counts."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    installed = {pattern.rstrip("*") for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert installed == set(PACKAGES)


@pytest.mark.parametrize(("module", "imported"), [
    ("etl.load", "indicators.compute"), ("core.errors", "etl.contract"), ("indicators.compute", "dashboard.data"),
    ("etl.staging", "etl.publish"), ("dashboard.app", "wijkmonitor.cli"),
])
def test_the_check_finds_an_upward_import(tmp_path: Path, module: str, imported: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path.joinpath(*module.split(".")).with_suffix(".py")
    source.parent.mkdir(parents=True)
    source.write_text(f"def later():\n    import {imported}\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert upward_imports([source]) == [
        f"{module} ({LAYERS[_rank(module)][0]}) -> {imported} ({LAYERS[_rank(imported)][0]})"
    ]
