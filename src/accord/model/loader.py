"""Reading agreement files: YAML with positions, every problem located (DESIGN.md §3).

YAML is read as YAML 1.2 reads it where YAML 1.1 surprises people: only ``true``/``false`` are
booleans (so ``country: NO`` is Norway) and ``09:00`` is never a base-60 number. Duplicate keys
are errors. Each problem carries file, line, column, key path and a hint.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from accord.errors import AgreementError, Problem
from accord.model.agreement import Agreement, cross_check
from accord.model.objectives import Metric, closest_metric, problems_beside_the_metric

__all__ = ["agreement_files", "load_agreement", "load_agreements", "parse_agreement"]

Position = tuple[int, int]
KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and no sexagesimal numbers."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789"),
)


def agreement_files(paths: Iterable[Path]) -> list[Path]:
    """The agreement files named by ``paths``: files as given, directories' ``*.yaml``/``*.yml``."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            files.append(path)
        else:
            raise AgreementError(
                f"{path}: no such file or directory",
                [Problem("no such file or directory", file=str(path),
                         hint="give an agreement file or a directory of them")],
            )
    return files


def load_agreements(paths: Sequence[Path]) -> list[tuple[Path, Agreement]]:
    """Every agreement in ``paths``; AgreementError with every problem in every file at once."""
    loaded: list[tuple[Path, Agreement]] = []
    problems: list[Problem] = []
    for file in agreement_files(paths):
        try:
            loaded.append((file, load_agreement(file)))
        except AgreementError as error:
            problems.extend(error.problems)
    seen: dict[str, Path] = {}
    for file, agreement in loaded:
        if agreement.id in seen:
            problems.append(Problem(
                f"agreement id {agreement.id!r} is also used by {seen[agreement.id]}",
                file=str(file), path="id", hint="give each agreement its own id"))
        seen.setdefault(agreement.id, file)
    if problems:
        raise AgreementError(f"{len(problems)} problem(s) in agreement files", problems)
    return loaded


def load_agreement(path: Path) -> Agreement:
    """The agreement in ``path``; AgreementError listing every problem in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AgreementError(str(error), [Problem(f"cannot read the file: {error}",
                                                  file=str(path))]) from None
    return parse_agreement(text, str(path))


def parse_agreement(text: str, file: str = "<agreement>") -> Agreement:
    """Parse and validate one agreement document."""
    try:
        # The reader checks every character as it is built: it can fail too.
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:
        line, column = _line_column(text, error.position)
        raise AgreementError("not valid YAML", [Problem(
            f"not valid YAML: the control character U+{int(error.character):04X} is not "
            "allowed in YAML text",
            file=file, line=line, column=column,
            hint="remove the control character, or write it as an escape in a quoted string",
        )]) from None
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise AgreementError("not valid YAML", [Problem(
            f"not valid YAML: {problem}", file=file,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
            hint="check the indentation and quoting near this place",
        )]) from None
    finally:
        loader.dispose()
    if node is None:
        raise AgreementError("empty file", [Problem(
            "the file is empty", file=file, hint="an agreement starts with `accord: 1` and `id:`")])
    positions: dict[KeyPath, Position] = {}
    problems: list[Problem] = []
    data = _to_python(node, (), positions, problems, file, loader)
    if problems:
        raise AgreementError(f"{file}: duplicate keys", problems)
    if not isinstance(data, dict):
        raise AgreementError("not a mapping", [Problem(
            "an agreement is a mapping of keys (accord, id, type, …)", file=file, line=1, column=1)])
    problems = [_located(p.path, p.message, p.hint, positions, file) for p in cross_check(data)]
    try:
        agreement = Agreement.model_validate(data)
    except ValidationError as error:
        for e in error.errors():
            problems.append(_problem(e, positions, file))
            problems += _beside_the_metric(e, data, positions, file)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise AgreementError(f"{file}: {len(problems)} problem(s)", problems)
    return agreement


def _line_column(text: str, position: int) -> tuple[int, int]:
    """The 1-based line and column of the character at ``position`` in ``text``."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _to_python(node: yaml.Node, path: KeyPath, positions: dict[KeyPath, Position],
               problems: list[Problem], file: str, loader: _Loader) -> Any:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float):
                key = str(key)
            if key in result:
                problems.append(Problem(
                    f"duplicate key {key!r}", file=file, line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1, path=_dotted((*path, key)),
                    hint="each key appears once in a mapping; remove or merge the repeats"))
                continue
            child = (*path, str(key))
            result[key] = _to_python(value_node, child, positions, problems, file, loader)
            positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), positions, problems, file, loader)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


_KNOWN_KEYS = sorted({
    "accord", "id", "title", "type", "provider", "customer", "services", "effective", "from",
    "to", "timezone", "contract", "section", "fee", "amount", "currency", "per", "credit_cap",
    "calendars", "hours", "holidays", "country", "subdivision", "dates", "objectives", "clause",
    "metric", "calendar", "targets", "target", "compliance", "credits", "below", "above",
    "credit", "pause", "where", "credit_per_breach", "service", "count_degraded", "item",
    "schedule", "rrule", "window", "measure", "aggregate",
})


def _problem(error: Any, positions: dict[KeyPath, Position], file: str) -> Problem:
    loc: KeyPath = tuple(error["loc"])
    # The objective's metric appears in pydantic's location as a union tag: not a key.
    if len(loc) > 2 and loc[0] == "objectives" and loc[2] in set(Metric):
        loc = (*loc[:2], *loc[3:])
    loc = tuple(p for p in loc
                if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]")))
    kind = error["type"]
    message = str(error["msg"]).removeprefix("Value error, ")
    hint: str | None = None
    if kind == "extra_forbidden":
        key = str(loc[-1])
        message = f"unknown key {key!r}"
        close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
        if close and close[0] == key:
            hint = f"{key!r} is a key elsewhere in an agreement, not here; see DESIGN.md §3"
        else:
            hint = (f"did you mean {close[0]!r}?" if close
                    else "remove it; see DESIGN.md §3 for the keys")
    elif kind == "missing":
        message = "is required"
        hint = f"add `{loc[-1]}:`"
    elif kind in ("union_tag_not_found", "union_tag_invalid"):
        message = "metric must be one of " + ", ".join(m.value for m in Metric)
        loc = (*loc, "metric") if kind == "union_tag_invalid" else loc
        written = error.get("input")
        meant = closest_metric(written.get("metric", "")) \
            if kind == "union_tag_invalid" and isinstance(written, dict) else None
        hint = f"did you mean {meant.value}?" if meant is not None else None
    elif kind == "literal_error" and loc == ("accord",):
        message = "this is format version 1: write `accord: 1`"
    return _located(loc, message, hint, positions, file)


def _beside_the_metric(error: Any, data: dict[str, Any], positions: dict[KeyPath, Position],
                       file: str) -> list[Problem]:
    """An objective with no metric or an unknown one is checked still, for its other
    problems (:func:`accord.model.objectives.problems_beside_the_metric`)."""
    loc = tuple(error["loc"])
    objective = error.get("input")
    if (error["type"] not in ("union_tag_not_found", "union_tag_invalid") or len(loc) != 2
            or loc[0] != "objectives" or not isinstance(objective, dict)):
        return []
    return [_problem({**e, "loc": (*loc, *e["loc"])}, positions, file)
            for e in problems_beside_the_metric(objective)]


def _located(loc: KeyPath, message: str, hint: str | None,
             positions: dict[KeyPath, Position], file: str) -> Problem:
    path = tuple(str(p) if not isinstance(p, int) else p for p in loc)
    prefix = path
    while prefix not in positions and prefix:
        prefix = prefix[:-1]
    line, column = positions.get(prefix, (None, None))
    return Problem(message, file=file, line=line, column=column, path=_dotted(path) or None,
                   hint=hint)


def _dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
