"""The layers point one way (STYLE.md): model ← engine ← store/io ← service/documents ←
portal/cli; time is an argument."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import accord

SRC = Path(accord.__file__).parent
OUTER = ("sqlalchemy", "fastapi", "starlette", "jinja2", "typer", "rich", "click",
         "accord.io", "accord.cli", "accord.render", "accord.store", "accord.service",
         "accord.portal", "accord.documents")


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", ["model", "engine"])
def test_inner_layers_import_no_outer_layer(layer: str) -> None:
    for path in (SRC / layer).rglob("*.py"):
        leaks = {n for n in imports(path) if n.startswith(OUTER)}
        assert not leaks, f"{path.relative_to(SRC)} imports {sorted(leaks)}"


@pytest.mark.parametrize(("layer", "outer"), [
    ("io", ("accord.store", "accord.service", "accord.portal", "accord.documents", "accord.cli")),
    ("store", ("accord.service", "accord.portal", "accord.documents", "accord.cli", "fastapi")),
    ("service", ("accord.portal", "accord.cli", "typer")),
    ("documents", ("accord.service", "accord.portal", "accord.cli", "fastapi", "typer")),
])
def test_middle_layers_import_no_outer_layer(layer: str, outer: tuple[str, ...]) -> None:
    for path in (SRC / layer).rglob("*.py"):
        leaks = {n for n in imports(path) if n.startswith(outer)}
        assert not leaks, f"{path.relative_to(SRC)} imports {sorted(leaks)}"


def test_the_model_does_not_import_the_engine() -> None:
    for path in (SRC / "model").rglob("*.py"):
        assert not {n for n in imports(path) if n.startswith("accord.engine")}, path


@pytest.mark.parametrize("layer", ["model", "engine"])
def test_inner_layers_never_read_the_clock(layer: str) -> None:
    for path in (SRC / layer).rglob("*.py"):
        text = path.read_text()
        for call in ("datetime.now(", ".utcnow(", "time.time(", "date.today("):
            assert call not in text, f"{path.relative_to(SRC)} calls {call}"


def test_every_public_name_exists() -> None:
    for module_info in pkgutil.walk_packages([str(SRC)], "accord."):
        if module_info.name == "accord.__main__":
            continue
        module = importlib.import_module(module_info.name)
        for name in getattr(module, "__all__", []):
            assert hasattr(module, name), f"{module_info.name}.__all__ names missing {name}"
