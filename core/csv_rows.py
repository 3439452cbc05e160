"""Reading an uploaded CSV file for an all-or-nothing import (memberships, existing Panopto
folders): the file as a whole is checked here — size, encoding, format, delimiter — and its rows
handed to the importer, which checks each row and lists every bad one. Nothing app-specific."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

CSV_MAX_BYTES = 10 * 1024 * 1024
CSV_MAX_ROWS = 200_000
# An import page lists this many of a file's bad rows, and says how many more there are: a file
# of 200,000 wrong rows would be a page of megabytes nobody reads.
CSV_PROBLEMS_SHOWN = 200
# How many values one lookup of an import names (`field__in=chunk`): a file's distinct user
# identifiers or space codes may be as many as its rows, and PostgreSQL takes at most 65,535
# parameters a statement (SQLite 32,766 as often built), so they are looked up in chunks.
LOOKUP_CHUNK = 10_000


class CsvFileError(Exception):
    """The file as a whole cannot be read (encoding, format, size); nothing was imported."""


@dataclass(frozen=True)
class CsvRowProblem:
    line: int
    row: tuple[str, ...]
    reason: str


@dataclass
class CsvImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[CsvRowProblem] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.problems

    @property
    def problems_shown(self) -> list[CsvRowProblem]:
        return self.problems[:CSV_PROBLEMS_SHOWN]

    @property
    def problems_not_shown(self) -> int:
        return max(0, len(self.problems) - CSV_PROBLEMS_SHOWN)


def in_chunks(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    """`values`, sorted, in lists of at most `size`: each one lookup's parameters."""
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def read_csv_rows(
    data: bytes, *, is_header: Callable[[list[str]], bool], no_rows_message: str
) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a UTF-8 CSV file (comma, semicolon or tab separated), each with
    its line number and its cells trimmed; a first row that `is_header` recognises is left out.
    Raises CsvFileError (with `no_rows_message` when no row is left)."""
    if len(data) > CSV_MAX_BYTES:
        raise CsvFileError(
            _("The file is larger than %(limit)d MB.") % {"limit": CSV_MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(
            _("The file is not UTF-8 encoded text (byte %(position)d). Save it as CSV UTF-8.")
            % {"position": error.start + 1}
        ) from error
    if "\x00" in text:
        raise CsvFileError(_("The file contains NUL characters; it is not a CSV file."))
    if not text.strip():
        raise CsvFileError(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if len(rows) >= CSV_MAX_ROWS:
                raise CsvFileError(
                    _("The file has more than %(limit)d rows.") % {"limit": CSV_MAX_ROWS}
                )
            if not any(cell.strip() for cell in row):
                continue
            rows.append((reader.line_num, [cell.strip() for cell in row]))
    except csv.Error as error:
        raise CsvFileError(
            _("The file is not valid CSV near line %(line)d.") % {"line": reader.line_num}
        ) from error
    if rows and is_header(rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise CsvFileError(no_rows_message)
    return rows
