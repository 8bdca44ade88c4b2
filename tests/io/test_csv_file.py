from __future__ import annotations

from pathlib import Path

import pytest

from accord.io._csv_file import read_csv, record_lines
from accord.io._source import LINE
from tests.io.files import write


@pytest.mark.parametrize(("data", "lines"), [
    (b"", []),
    (b"a,b", []),
    (b"a,b\n", []),
    (b"a,b\n1,2", [2]),
    (b"a,b\n1,2\n3,4\n", [2, 3]),
    (b"a,b\r\n1,2\r\n3,4\r\n", [2, 3]),
    (b"a,b\n\n1,2\n\n", [2, 3, 4]),
    (b'a,b\n1,"x\ny"\n3,4\n', [2, 4]),
    (b'a,b\n1,"x\n""y""\nz"\n3,"4"\n', [2, 5]),
    (b'"a\nb",c\n1,2\n', [3]),
    (b'a,b\n1,""\n2,"\n"\n', [2, 3]),
])
def test_record_lines_are_the_physical_lines_records_start_on(
        data: bytes, lines: list[int]) -> None:
    assert record_lines(data).tolist() == lines


def test_cells_are_text_and_empty_cells_missing(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, "t.csv", 'a,b,c\n007,,""\n1.50,x,\n'))
    assert raw.frame.rows() == [("007", None, None, 2), ("1.50", "x", None, 3)]
    assert raw.locator.columns == ("a", "b", "c")


def test_blank_lines_are_no_rows_but_still_count(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, "t.csv", "a,b\n\n1,2\n,\n\n3,4\n"))
    assert raw.frame[LINE].to_list() == [3, 6]


def test_a_row_with_too_many_cells_is_rejected_and_the_rest_still_read(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, "t.csv", 'a,b\n1,"x\ny"\n2,3,4\n5\n'))
    assert [(line, str(p)) for line, p in raw.rejected] == [
        (4, f"{tmp_path}/t.csv:4: row has 3 cells but the header has 2 columns — quote cells "
            "that contain a comma or a line break")]
    assert raw.frame.rows() == [("1", "x\ny", 2), ("5", None, 5)]


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n3,caf\xe9\n")
    raw = read_csv(path)
    assert [str(p) for p in raw.problems] == [
        f"{path}:3: is not UTF-8 text — save the file as UTF-8"]


def test_an_unterminated_quote_makes_the_file_unreadable(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, "t.csv", 'a,b\n1,"open\n2,3\n'))
    assert len(raw.problems) == 1
    assert raw.problems[0].message.startswith("is not valid CSV")


@pytest.mark.parametrize("slow", [False, True])
def test_a_repeated_column_name_is_a_problem_on_either_path(tmp_path: Path, slow: bool) -> None:
    text = "a,b,a\n1,2,3\n" + ("4,5,6,7\n" if slow else "")
    raw = read_csv(write(tmp_path, "t.csv", text))
    assert [(p.line, p.column, p.message) for p in raw.problems] == [
        (1, 3, "column 'a' appears twice in the header (columns 1 and 3)")]


def test_empty_cells_of_a_file_without_quotes_are_missing(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, "t.csv", "a,b,c\n1,,\n,2,\n"))
    assert raw.frame.rows() == [("1", None, None, 2), (None, "2", None, 3)]
