from __future__ import annotations

from pathlib import Path

import pytest

from accord.io._jsonl_file import read_jsonl
from accord.io._source import LINE
from tests.io.files import write

BAD_LINE = "{broken\n"


@pytest.mark.parametrize("tail", ["", BAD_LINE])
def test_values_become_their_json_text_on_either_path(tmp_path: Path, tail: str) -> None:
    # A bad line sends the whole file down the slow, line-by-line path: same cells either way.
    raw = read_jsonl(write(tmp_path, "t.jsonl",
                           '{"a": 1, "b": "x", "c": true}\n{"a": "y", "b": null, "c": 2.5}\n'
                           + tail))
    assert raw.frame.select("a", "b", "c").rows() == [("1", "x", "true"), ("y", None, "2.5")]


@pytest.mark.parametrize("tail", ["", BAD_LINE])
def test_blank_lines_are_skipped_but_counted(tmp_path: Path, tail: str) -> None:
    raw = read_jsonl(write(tmp_path, "t.jsonl", '\n{"a": 1}\n  \n\n{"a": 2}\n' + tail))
    assert raw.frame[LINE].to_list() == [2, 5]


def test_a_key_first_seen_late_is_kept(tmp_path: Path) -> None:
    lines = ['{"a": 1}\n'] * 500 + ['{"a": 2, "late": "yes"}\n']
    raw = read_jsonl(write(tmp_path, "t.jsonl", "".join(lines)))
    assert raw.frame["late"].to_list()[-2:] == [None, "yes"]


@pytest.mark.parametrize(("line", "expected"), [
    ("{oops}", "t.jsonl:2:2: is not valid JSON: Expecting property name enclosed in double "
               'quotes — write one JSON object per line, e.g. {"id": "T-1", "customer": "acme"}'),
    ("[1, 2]", 't.jsonl:2: is not a JSON object — write one JSON object per line, e.g. '
               '{"id": "T-1", "customer": "acme"}'),
    ('{"a": [1]}', "t.jsonl:2: a: is an array — write text or a number here"),
    ('{"a": {"b": 1}}', "t.jsonl:2: a: is an object — write text or a number here"),
])
def test_a_line_that_is_not_a_flat_object_is_rejected(
        tmp_path: Path, line: str, expected: str) -> None:
    raw = read_jsonl(write(tmp_path, "t.jsonl", '{"a": "ok"}\n' + line + '\n{"a": "ok"}\n'))
    assert [(number, str(p)) for number, p in raw.rejected] == [
        (2, f"{tmp_path}/{expected}")]


def test_nested_values_found_by_polars_are_rejected_too(tmp_path: Path) -> None:
    raw = read_jsonl(write(tmp_path, "t.jsonl", '{"a": [1], "b": 1}\n{"a": null, "b": 2}\n'))
    assert [number for number, _ in raw.rejected] == [1]


def test_an_empty_file_has_no_columns(tmp_path: Path) -> None:
    raw = read_jsonl(write(tmp_path, "t.jsonl", " \n"))
    assert raw.columns == ()
    assert raw.problems == []


@pytest.mark.parametrize(("depth", "message"), [
    (900, "x: is an array"),
    (5_000, "nests arrays or objects too deeply to be read"),
])
def test_deeply_nested_values_are_bad_rows_read_in_moments(tmp_path: Path, depth: int,
                                                           message: str) -> None:
    import time

    path = write(tmp_path, "t.jsonl", '{"id": "T-1"}\n{"id": "T-2", "x": '
                 + "[" * depth + "]" * depth + "}\n")
    started = time.perf_counter()
    raw = read_jsonl(path)
    assert time.perf_counter() - started < 2
    [(line, problem)] = raw.rejected
    assert line == 2
    assert str(problem).endswith(message + ' — ' + (
        "write text or a number here" if depth == 900 else
        'write one JSON object per line, e.g. {"id": "T-1", "customer": "acme"}'))
