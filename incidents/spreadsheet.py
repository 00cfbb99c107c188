"""Spreadsheet file formats for the admin's import and export: bounded reading, formula-safe writing.

Reading: whatever an upload holds, it is read within bounds (rows, columns, unpacked size) and
never further than the row limit, or refused with a message that says where the problem is and
what to do: a text file that is not UTF-8, a CSV row with more or fewer cells than the header,
more rows than one import takes, or a sheet whose used range reaches far beyond its data
(openpyxl would fill in every cell up to a stray one at XFD1048576: seventeen billion of them).

Writing: django-import-export's own escaping (``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``) strips one
leading ``=`` and nothing else, so ``+1``, ``@SUM(1)``, a formula after leading spaces or on
the second line of a cell still reach Excel or LibreOffice as formulas. These formats
neutralise every such cell instead, and leave numbers alone.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any, BinaryIO

import openpyxl
import tablib
from django.conf import settings
from import_export.formats import base_formats

# The widest import format (the archive's own) has 34 columns; a header far wider is not one of them.
MAX_COLUMNS = 100
# An XLSX file is a zip archive: parts that unpack to many times the upload limit are a zip bomb,
# not data (100,000 rows of 35 columns unpack to about 140 MB).
UNPACKED_FACTOR = 10
# openpyxl reads a sheet that does not declare its dimension once in full to look for it;
# spreadsheet programs always declare it, so a larger sheet without one is refused.
UNDECLARED_SHEET_BYTES = 16 * 1024 * 1024


class RefusedFileError(ValueError):
    """The file as a whole cannot be imported; the message says why and what to do."""


def max_import_rows() -> int:
    return getattr(settings, "ARCHIVE_IMPORT_MAX_ROWS", 100_000)


def too_many_rows(limit: int) -> RefusedFileError:
    return RefusedFileError(
        f"The file has more than {limit:,} rows; one import takes at most {limit:,}. "
        "Split the file, or use the import_incidents command."
    )


# --- Text: UTF-8 or a message naming the byte ---------------------------------------------------


def not_utf8(byte: int, position: int, line: int) -> RefusedFileError:
    return RefusedFileError(
        f"The file is not UTF-8: byte 0x{byte:02X} at position {position} (line {line}). "
        "Save it as CSV UTF-8 and import again."
    )


def decode_utf8(data: bytes) -> str:
    """``data`` as text (a leading byte order mark dropped), or RefusedFileError naming the first bad byte."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        position = start + error.start
        raise not_utf8(data[position], position, data.count(b"\n", 0, position) + 1) from None


def find_non_utf8(stream: BinaryIO, chunk_size: int = 1 << 20) -> RefusedFileError | None:
    """The error :func:`decode_utf8` would give for the whole of ``stream``, reading it a chunk at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    while True:
        chunk = stream.read(chunk_size)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            # The decoder holds back the start of a character cut by the chunk's end; its bytes
            # come first in error.object.
            held = len(error.object) - len(chunk)
            position = offset - held + error.start
            lines += chunk.count(b"\n", 0, max(0, error.start - held))
            return not_utf8(error.object[error.start], position, lines + 1)
        if not chunk:
            return None
        offset += len(chunk)
        lines += chunk.count(b"\n")


# --- Reading CSV and XLSX within bounds ---------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(values: Iterable[Any]) -> list[str]:
    """The header's cells as text, without the empty ones at its end."""
    header = ["" if is_blank(value) else str(value) for value in values]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise RefusedFileError("The first row is empty; it must name the columns.")
    if len(header) > MAX_COLUMNS:
        raise RefusedFileError(
            f"The first row names {len(header):,} columns; an import file has at most {MAX_COLUMNS}. "
            "Check that this is the right file and format."
        )
    return header


def read_csv(text: str, *, max_rows: int) -> tablib.Dataset:
    """The rows of CSV ``text`` (blank lines skipped), each with exactly the header's cells."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = _header(next(reader, []))
        rows: list[list[str]] = []
        width = len(header)
        end_of_last = reader.line_num
        for cells in reader:
            first_line, end_of_last = end_of_last + 1, reader.line_num
            if not cells:
                continue
            if len(cells) > width and all(is_blank(cell) for cell in cells[width:]):
                cells = cells[:width]  # a spreadsheet's empty columns after the header's last one
            if len(cells) != width:
                raise RefusedFileError(
                    f"Row {len(rows) + 1} (line {first_line} of the file) has {len(cells)} cells where the header "
                    f"has {width} columns. A cell that contains a comma, a quote or a line break must be in "
                    "double quotes; saving the file again from a spreadsheet program does that."
                )
            if len(rows) == max_rows:
                raise too_many_rows(max_rows)
            rows.append(cells)
    except csv.Error as error:
        raise RefusedFileError(f"The file cannot be read as CSV at line {reader.line_num}: {error}.") from None
    return tablib.Dataset(*rows, headers=header)


def read_xlsx(data: bytes, *, max_rows: int) -> tablib.Dataset:
    """The rows of the workbook's active sheet, read as a stream, within bounds.

    The workbook's parts are checked first (how much they unpack to, sheets without a declared
    size), then the sheet's declared used range: one wider or longer than an import takes is
    refused before a row is read. The rows are then read with that dimension set aside (it may be
    missing or wrong), never past the row limit: cells to the right of the header are ignored,
    blank rows after the last row with a value are dropped, and blank rows between rows with
    values are kept, so that every row keeps its number.
    """
    try:
        _check_parts(zipfile.ZipFile(io.BytesIO(data)))
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _read_sheet(book.active, max_rows)
        finally:
            book.close()
    except RefusedFileError:
        raise
    except zipfile.BadZipFile:
        raise RefusedFileError(
            "The file is not an Excel workbook (.xlsx). Choose the format the file is in, "
            "or save it as .xlsx or CSV UTF-8 and import again."
        ) from None
    except Exception as error:  # openpyxl's many ways of finding a part missing or malformed
        raise RefusedFileError(
            f"The file cannot be read as an Excel workbook ({type(error).__name__}: {error}). "
            "Open it in a spreadsheet program, save it as .xlsx or CSV UTF-8, and import again."
        ) from None


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts would take more memory or time to read than its rows are worth."""
    parts = archive.infolist()
    unpacked = sum(part.file_size for part in parts)
    if unpacked > UNPACKED_FACTOR * getattr(settings, "ARCHIVE_IMPORT_MAX_BYTES", 20 * 1024 * 1024):
        raise RefusedFileError(
            f"The workbook unpacks to {unpacked:,} bytes, more than any file the import takes. "
            "Save the sheet as CSV UTF-8 and import that."
        )
    for part in parts:
        if part.filename.startswith("xl/worksheets/") and part.file_size > UNDECLARED_SHEET_BYTES:
            # The dimension comes before the cells, in the first bytes of the part.
            with archive.open(part) as sheet:
                if b"dimension" not in sheet.read(64 * 1024):
                    raise RefusedFileError(
                        "A sheet of the workbook does not declare its size, as spreadsheet programs do, and is "
                        "too large to read without it. Open the file in a spreadsheet program, save it again, "
                        "and import that."
                    )


def _read_sheet(sheet: Any, max_rows: int) -> tablib.Dataset:
    if not hasattr(sheet, "iter_rows"):
        raise RefusedFileError("The workbook's active sheet is a chart; make the sheet with the data active.")
    if sheet.max_column and sheet.max_row:
        used = sheet.calculate_dimension()
        if sheet.max_column > MAX_COLUMNS:
            raise RefusedFileError(
                f"The sheet's used range, {used}, is {sheet.max_column:,} columns wide; an import file has at most "
                f"{MAX_COLUMNS}. Delete the columns to the right of your data (and any stray cell far out), save, "
                "and import again."
            )
        if sheet.max_row - 1 > max_rows:
            raise RefusedFileError(
                f"The sheet's used range, {used}, has {sheet.max_row - 1:,} rows below the header; one import "
                f"takes at most {max_rows:,}. Split the file; if the rows after your data are empty, delete them, "
                "save, and import again."
            )
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
    header = _header(next(rows, ()))
    width = len(header)
    kept: list[tuple] = []
    blank_run = 0
    for number, values in enumerate(rows, start=2):  # the sheet's row numbers
        cells = values[:width]
        # Rows the sheet leaves out come as all None: a quick test first, then one for empty text.
        blank = cells.count(None) == width or all(is_blank(value) for value in cells)
        if number > max_rows + 1:
            if not blank:
                raise too_many_rows(max_rows)
            raise RefusedFileError(
                f"The sheet goes on past row {max_rows + 1:,}, with nothing there under the header; one import "
                f"takes at most {max_rows:,} rows. Delete the rows after your data, save, and import again."
            )
        if blank:
            blank_run += 1
            continue
        kept.extend([(None,) * width] * blank_run)
        blank_run = 0
        kept.append(cells)
    return tablib.Dataset(*kept, headers=header)


# --- Writing: formulas neutralised ------------------------------------------------------------

_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
# A line (after a line feed or a carriage return, which spreadsheets also break on) that
# starts, maybe after spaces, with = + - @ or a tab.
_RISKY_LINE = re.compile(r"(?<=[\r\n])[ ]*[=+\-@\t]")
_RISKY_START = re.compile(r"[ ]*[=+\-@\t\r\n]")


def neutralise_formula(value: object) -> object:
    """Return ``value`` with a leading apostrophe on every line a spreadsheet would evaluate.

    Non-text values and plain numbers written as text (``-12.5``) pass through unchanged,
    so coordinates and counts stay numbers.
    """
    if not isinstance(value, str) or not value:
        return value
    if _NUMBER.fullmatch(value):
        return value
    value = _RISKY_LINE.sub(lambda match: "'" + match.group(0), value)
    if _RISKY_START.match(value):
        value = "'" + value
    return value


_NEUTRALISED = re.compile(r"(?:^|(?<=[\r\n]))'(?=[ ]*[=+\-@\t\r\n])")


def restore_neutralised(text: str) -> str:
    """Undo :func:`neutralise_formula` (and the CSV export's twin), so an export re-imports as it was."""
    return _NEUTRALISED.sub("", text) if "'" in text else text


def neutralise_dataset(dataset: tablib.Dataset) -> None:
    """Neutralise every cell of ``dataset`` in place (headers included)."""
    dataset.headers = [neutralise_formula(header) for header in dataset.headers or []]
    for _ in range(len(dataset)):
        dataset.append([neutralise_formula(cell) for cell in dataset.lpop()])


class SafeFormulaeMixin:
    """Replace the library's one-character escaping with :func:`neutralise_dataset`."""

    def _escape_formulae(self, dataset: tablib.Dataset) -> None:
        neutralise_dataset(dataset)


class CSV(SafeFormulaeMixin, base_formats.CSV):
    def create_dataset(self, in_stream: str | bytes, **kwargs: object) -> tablib.Dataset:
        """The rows (:func:`read_csv`), and the file's own text as ``csv_text``: the set-based
        imports copy that text into PostgreSQL rather than write the rows out as CSV again."""
        text = decode_utf8(in_stream) if isinstance(in_stream, bytes) else in_stream.removeprefix("\ufeff")
        dataset = read_csv(text, max_rows=max_import_rows())
        dataset.csv_text = text
        return dataset


class XLSX(SafeFormulaeMixin, base_formats.XLSX):
    def create_dataset(self, in_stream: bytes, **kwargs: object) -> tablib.Dataset:
        return read_xlsx(in_stream, max_rows=max_import_rows())


# The admin offers only these: both import and export through the neutralising classes.
FORMATS = [CSV, XLSX]
