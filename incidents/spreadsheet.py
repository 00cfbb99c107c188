"""Spreadsheet file formats for the admin's import and export, safe against formula injection.

django-import-export's own escaping (``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``) strips one
leading ``=`` and nothing else, so ``+1``, ``@SUM(1)``, a formula after leading spaces or on
the second line of a cell still reach Excel or LibreOffice as formulas. These formats
neutralise every such cell instead, and leave numbers alone.
"""

from __future__ import annotations

import re

import tablib
from import_export.formats import base_formats

# Characters that make a spreadsheet treat a cell (or a line of it) as a formula or DDE call.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
# A line (after a line feed or a carriage return, which spreadsheets also break on) that
# starts, maybe after spaces, with a trigger.
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
        """The rows as tablib reads them, and the file's own text as ``csv_text``: the set-based
        imports copy that text into PostgreSQL rather than write the rows out as CSV again."""
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        dataset = super().create_dataset(in_stream, **kwargs)
        dataset.csv_text = in_stream
        return dataset


class XLSX(SafeFormulaeMixin, base_formats.XLSX):
    pass


# The admin offers only these: both import and export through the neutralising classes.
FORMATS = [CSV, XLSX]
