"""Reading agreement files: YAML with positions, every problem located (DESIGN.md §3).

YAML is read as YAML 1.2 reads it where YAML 1.1 surprises people: only ``true``/``false`` are
booleans (so ``country: NO`` is Norway) and ``09:00`` is never a base-60 number. Duplicate keys
are errors. Each problem carries file, line, column, key path and a hint.

A document is refused before it is built when it nests deeper than :data:`MAX_DEPTH` levels or
holds more than :data:`MAX_NODES` values once its aliases are expanded: a few hundred bytes of
nested aliases ("billion laughs") otherwise expand to billions of values, and deep nesting
exhausts Python's stack. Agreements use a few hundred values, a dozen levels deep at most.
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
from accord.model.objectives import Metric

__all__ = ["MAX_DEPTH", "MAX_NODES", "agreement_files", "load_agreement", "load_agreements",
           "parse_agreement"]

MAX_DEPTH = 50
"""The deepest nesting of mappings and sequences an agreement file may have."""
MAX_NODES = 100_000
"""The most values (mappings, sequences and scalars) an agreement file may hold, counting each
use of an alias as a copy of what it names."""

Position = tuple[int, int]
KeyPath = tuple[str | int, ...]


class _TooLarge(yaml.MarkedYAMLError):
    """A document nested too deeply or expanding to too many values (see the module)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and no sexagesimal numbers, that counts the nesting
    and the expanded size of the document as it composes it (refusing it with _TooLarge)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.expanded = 0
        self.sizes: dict[int, int] = {}
        """The expanded size of each composed node, by ``id``: what an alias of it adds."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            target = self.anchors.get(event.anchor)
            node = super().compose_node(parent, index)
            self._count(self.sizes.get(id(target), 1), event.start_mark)
            return node
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooLarge(None, None, f"it nests deeper than {MAX_DEPTH} levels", mark,
                            "nest less: an agreement needs a dozen levels at most")
        before = self.expanded
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        self._count(1, mark)
        self.sizes[id(node)] = self.expanded - before
        return node

    def _count(self, values: int, mark: yaml.Mark) -> None:
        self.expanded += values
        if self.expanded > MAX_NODES:
            raise _TooLarge(None, None, f"it holds more than {MAX_NODES:,} values once its "
                            "aliases are expanded", mark, "write the agreement out without "
                            "aliases nested within aliases")


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
    except _TooLarge as error:
        mark = error.problem_mark
        raise AgreementError("agreement file refused", [Problem(
            f"refused: {error.problem}", file=file,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
            hint=error.note)]) from None
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
        problems += [_problem(e, positions, file) for e in error.errors()]
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
    elif kind == "literal_error" and loc == ("accord",):
        message = "this is format version 1: write `accord: 1`"
    return _located(loc, message, hint, positions, file)


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
