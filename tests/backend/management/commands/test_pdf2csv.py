"""The pdf2csv command, run through manage.py's own entry point as a user's script runs it."""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import execute_from_command_line

from tests.support import pdf_factory, table_pdfs


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str


def pdf2csv(*args: object) -> Finished:
    """What `python manage.py pdf2csv ARGS` prints and exits with. In this process, since a
    new interpreter per call cost most of these tests' time."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            execute_from_command_line(["manage.py", "pdf2csv", *map(str, args)])
        except SystemExit as exit_:
            if isinstance(exit_.code, str):  # as the interpreter does with sys.exit("…")
                print(exit_.code, file=err)
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    return Finished(code, out.getvalue(), err.getvalue())


def read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_a_table_over_two_pages_becomes_one_named_csv(corpus, tmp_path):
    result = pdf2csv(corpus / "camelot__us-020.pdf", "--out", tmp_path, "--pages", "2-3")
    assert result.returncode == 0, result.stderr
    (produced,) = tmp_path.iterdir()
    assert produced.name == "camelot__us-020-p2-3-t1.csv"
    rows = read(produced)
    assert rows[0][0] == "Education system"
    assert rows[1][:2] == ["Australia", "100"]
    assert len(rows) == 55


def test_an_area_selects_one_of_two_tables(corpus, tmp_path):
    expected = read(corpus / "tabula-eu002-stream.csv")
    result = pdf2csv(
        corpus / "tabula-java__eu-002.pdf",
        "--out",
        tmp_path,
        "--pages",
        "1",
        "--area",
        "115,70,233,510",
    )
    assert result.returncode == 0, result.stderr
    (produced,) = tmp_path.iterdir()
    assert produced.name == "tabula-java__eu-002-p1-t1.csv"
    rows = read(produced)
    # The reference puts each header line on a row of its own; here the wrapped
    # headings are joined, so the header takes two rows instead of three.
    body = expected[3:]
    assert [r[0] for r in rows[:2]] == ["", ""]
    assert [[c.split() for c in r] for r in rows[2:]] == [[c.split() for c in r] for r in body]


def test_the_password_opens_an_encrypted_pdf(corpus, tmp_path):
    result = pdf2csv(
        corpus / "camelot__health_protected.pdf", "--out", tmp_path, "--password", "userpass"
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["camelot__health_protected-p1-t1.csv"]


def test_a_pdf_without_tables_exits_0_and_writes_nothing(tmp_path):
    blank = pdf_factory.blank(tmp_path / "blank.pdf")
    out = tmp_path / "out"
    result = pdf2csv(blank, "--out", out)
    assert result.returncode == 0, result.stderr
    assert not out.exists() or not any(out.iterdir())


def bad_inputs(corpus: Path, tmp: Path) -> list[tuple[list, str]]:
    text = tmp / "notes.pdf"
    text.write_text("not a pdf")
    empty = tmp / "empty.pdf"
    empty.write_bytes(b"")
    cut = pdf_factory.truncated(corpus / "camelot__us-020.pdf", tmp / "cut.pdf")
    locked = corpus / "camelot__health_protected.pdf"
    return [
        ([text], "not a PDF"),
        ([empty], "empty"),
        ([cut], "damaged or truncated"),
        ([locked], "password is required"),
        ([locked, "--password", "nope"], "password does not open"),
        (
            [corpus / "camelot__us-020.pdf", "--pages", "7"],
            "page 7 requested, the document has 6 pages",
        ),
        ([corpus / "camelot__us-020.pdf", "--pages", "two"], "is not a page number"),
        ([tmp / "missing.pdf"], "no such file"),
        ([corpus / "camelot__us-020.pdf", "--area", "1,2,3"], "four numbers"),
    ]


@pytest.mark.parametrize("case", range(9))
def test_bad_input_exits_non_zero_with_one_line_and_no_traceback(corpus, tmp_path, case):
    args, message = bad_inputs(corpus, tmp_path)[case]
    result = pdf2csv(*args, "--out", tmp_path / "out")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_a_table_that_needs_a_look_is_named_on_stderr(tmp_path):
    rows = [["Crop", "Tonnes", ""]] + [[f"Crop {i}", str(i * 10), ""] for i in range(14)]
    rows[-1][2] = "estimate"
    pdf = table_pdfs.ruled_table(tmp_path / "sparse.pdf", rows)
    result = pdf2csv(pdf, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "check sparse-p1-t1.csv (quality 0.75): column(s) 3 are almost empty" in result.stderr
