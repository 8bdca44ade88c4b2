"""documents/ sits above model/ and engine/ and below the shells; it never reads the clock."""

import ast
from pathlib import Path

import accord

SRC = Path(accord.__file__).parent


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_documents_import_no_shell() -> None:
    for path in (SRC / "documents").rglob("*.py"):
        shells = {n for n in imported(path)
                  if n.startswith(("accord.service", "accord.cli", "accord.portal", "typer",
                                   "fastapi", "rich"))}
        assert not shells, f"{path.name} imports {sorted(shells)}"


def test_nothing_below_imports_documents() -> None:
    for layer in ("model", "engine", "store", "io"):
        for path in (SRC / layer).rglob("*.py"):
            assert not {n for n in imported(path) if n.startswith("accord.documents")}, path


def test_documents_never_read_the_clock() -> None:
    for path in (SRC / "documents").rglob("*.py"):
        text = path.read_text()
        for call in ("datetime.now(", ".utcnow(", "time.time(", "date.today(", ".today("):
            assert call not in text, f"{path.name} calls {call}"
