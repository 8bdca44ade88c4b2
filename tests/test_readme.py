"""The README's tour is true: each command it shows, run in a copy of the examples, prints what
the README says it prints (a line `…` stands for lines left out)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GAP = "…"


def tour_commands() -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the tour's console blocks, with the lines shown after it."""
    text = README.read_text(encoding="utf-8")
    tour = text[text.index("## A five-minute tour"):text.index("\n## ", text.index(
        "## A five-minute tour") + 1)]
    commands: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", tour, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif commands:
                commands[-1][1].append(line.rstrip())
    return commands


def shown_in_order(shown: list[str], printed: list[str]) -> bool:
    """Whether the shown lines are the printed ones, where ``…`` may stand for any lines."""
    at = 0
    skipping = False
    for line in shown:
        if line == GAP:
            skipping = True
            continue
        if skipping:
            while at < len(printed) and printed[at] != line:
                at += 1
        if at >= len(printed) or printed[at] != line:
            return False
        at += 1
        skipping = False
    return skipping or at == len(printed)


def test_the_tour_shows_commands_with_their_output() -> None:
    commands = tour_commands()
    assert [c.split()[:2] for c, _ in commands][:3] == [
        ["accord", "validate"], ["sed", "-e"], ["accord", "validate"]]
    assert sum(bool(shown) for _, shown in commands) >= 4


@pytest.mark.skipif(shutil.which("jq") is None, reason="the tour pipes one command into jq")
def test_every_command_of_the_tour_prints_what_the_readme_shows(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(ROOT / "src")}
    env.pop("COLUMNS", None)
    for command, shown in tour_commands():
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                                cwd=tmp_path, env=env, timeout=300, check=False)
        printed = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
        assert result.returncode in (0, 1), (command, result.stderr)
        assert shown_in_order(shown, printed), (command, shown, printed)


@pytest.mark.parametrize(("shown", "printed", "same"), [
    (["a", "b"], ["a", "b"], True),
    (["a", GAP], ["a", "b", "c"], True),
    (["a", GAP, "c"], ["a", "b", "c"], True),
    (["a", "c"], ["a", "b", "c"], False),
    (["a", "b"], ["a", "b", "c"], False),
    (["a", GAP, "d"], ["a", "b", "c"], False),
])
def test_a_gap_in_the_readme_stands_for_lines_left_out(shown: list[str], printed: list[str],
                                                       same: bool) -> None:
    assert shown_in_order(shown, printed) is same
