"""The resource limits of the importers, set once at the entry point (``Settings``) and passed in.

A file that goes over a limit is refused with the limit named, before its data is held in memory.
The defaults allow the largest data sets the benchmarks assess (millions of BOM rows from CSV).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

# Excel's own limit on the characters of one cell.
EXCEL_CELL_CHARS = 32_767
# Python's csv module refuses longer fields; a larger cell limit would never be reached in CSV.
CSV_FIELD_CHARS = csv.field_size_limit()


@dataclass(frozen=True)
class ImportLimits:
    """How much an import may hold: rows of a file or sheet, characters of a value, and for a
    workbook its unpacked size, its compression ratio and the cells of a sheet."""

    max_rows: int = 10_000_000
    max_cell_chars: int = EXCEL_CELL_CHARS
    max_workbook_bytes: int = 256 * 1024 * 1024
    max_compression_ratio: int = 100
    max_sheet_cells: int = 20_000_000


DEFAULT_LIMITS = ImportLimits()
