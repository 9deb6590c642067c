"""Strict readers of the files users bring: CSV, .xlsx workbooks, JSON and JSON lines.

Whatever the bytes, a reader returns rows or raises ``InputInvalid`` naming the file, the row,
the column (when one is known) and the reason; no other exception escapes. Text must be UTF-8
(a byte-order mark is accepted); a NUL character, a duplicated column name, a row with more or
fewer values than the header, a value under a column without a name and a quote that is never
closed are refused, as is anything over the ``ImportLimits``. A workbook's zip archive is checked
(declared sizes, compression ratio, then the unpacked bytes counted and scanned for a DOCTYPE)
before openpyxl reads any of it.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import zipfile
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from rarex.io.limits import DEFAULT_LIMITS, ImportLimits

MAX_ERRORS = 1000
Row = tuple[int, Mapping[str, Any]]


@dataclass(frozen=True, order=True)
class InputError:
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        row = f" row {self.row}:" if self.row else ""  # row 0: the file as a whole
        column = f" {self.column}:" if self.column else ""
        return f"{self.file}:{row}{column} {self.reason}"


class InputInvalid(Exception):
    def __init__(self, errors: list[InputError], truncated: bool = False) -> None:
        self.errors = errors
        self.truncated = truncated
        more = " (only the first shown)" if truncated else ""
        super().__init__(f"{len(errors)} input error(s){more}")


def refuse(file: str, row: int, column: str, reason: str) -> InputInvalid:
    return InputInvalid([InputError(file, row, column, reason)])


@dataclass
class Collector:
    """Errors gathered while reading on, at most ``MAX_ERRORS`` of them."""

    errors: list[InputError] = field(default_factory=list)
    truncated: bool = False

    def add(self, file: str, row: int, column: str, reason: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(InputError(file, row, column, reason))
        else:
            self.truncated = True

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputInvalid(self.errors, self.truncated)


# ---------------------------------------------------------------- numbers

FLOAT_MAX = Decimal("1.7976931348623157e308")
FLOAT_MIN = Decimal("2.2250738585072014e-308")  # the smallest float at full precision


class NotANumber(ValueError):
    """A value that is not a number the computations can use; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def shown(text: str, width: int = 40) -> str:
    """``repr`` of a value for a message, cut short if long."""
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def decimal_of(text: str) -> Decimal:
    """The number written in ``text``; ``NotANumber`` unless it is finite and within the range
    of the 64-bit floats it is computed with (``1e400`` would become infinite, ``1e-400`` 0)."""
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise NotANumber(f"not a number: {shown(text)}") from None
    if not number.is_finite():
        raise NotANumber(f"not a finite number: {shown(text)}")
    size = number.copy_abs()  # exact: abs() would round in the context, and overflow
    if size > FLOAT_MAX:
        raise NotANumber(f"too large to compute with: {shown(text)}")
    if 0 < size < FLOAT_MIN:
        raise NotANumber(f"too small to compute with (it would be taken as 0): {shown(text)}")
    return number


# ---------------------------------------------------------------- text

UTF8_BOM = b"\xef\xbb\xbf"
OTHER_ENCODINGS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: CSV UTF-8)"
SURROGATE = re.compile("[\ud800-\udfff]")


def _other_encoding(start: bytes) -> str | None:
    return next((name for mark, name in OTHER_ENCODINGS if start.startswith(mark)), None)


def _not_utf8(raw: bytes, at: int) -> str:
    return f"not UTF-8 text: byte 0x{raw[at]:02x} cannot be read; {SAVE_AS_UTF8}"


def value_problem(text: str, limits: ImportLimits) -> str | None:
    """Why a value read from a file cannot be taken, if it cannot."""
    if len(text) > limits.max_cell_chars:
        return (
            f"longer than {limits.max_cell_chars:,} characters "
            "(the limit is RAREX_IMPORT_MAX_CELL_CHARS)"
        )
    if "\x00" in text:
        return "contains a NUL character (is it UTF-16 text? rarex reads UTF-8)"
    if SURROGATE.search(text):
        return "contains a lone surrogate code point, which is not text"
    return None


def _too_many_rows(file: str, row: int, limits: ImportLimits) -> InputInvalid:
    return refuse(
        file,
        row,
        "",
        f"more than {limits.max_rows:,} rows (the limit is RAREX_IMPORT_MAX_ROWS)",
    )


def _header_problems(file: str, header: list[str], limits: ImportLimits) -> None:
    errors = Collector()
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        problem = value_problem(name, limits)
        if problem is not None:
            errors.add(file, 1, f"column {position}", problem)
        elif name and name in seen:
            errors.add(
                file, 1, name, f"the column appears twice (columns {seen[name]} and {position})"
            )
        seen.setdefault(name, position)
    errors.raise_if_any()


# ---------------------------------------------------------------- CSV


@dataclass
class _Place:
    """Where the CSV reader is: the physical line last read and the line its record began on."""

    line: int = 0
    text: str = ""
    record_line: int = 1
    record_text: str = ""


def _spans(text: str) -> tuple[list[tuple[int, int]], int | None]:
    """The (start, end) of each field of one CSV line as ``csv`` splits it, and the field in
    which a closing quote is followed by something other than a comma (strict mode's error)."""
    spans: list[tuple[int, int]] = []
    start, quoted, after_quote, bad = 0, False, False, None
    for i, ch in enumerate(text):
        if quoted:
            if ch == '"':
                quoted, after_quote = False, True
            continue
        if ch == '"' and (i == start or after_quote):
            quoted, after_quote = True, False
        elif ch == ",":
            spans.append((start, i))
            start, after_quote = i + 1, False
        elif ch in "\r\n":
            break
        elif after_quote and bad is None:
            bad = len(spans)
    spans.append((start, len(text.rstrip("\r\n")) if not quoted else len(text)))
    return spans, bad


class _CsvRecords:
    """The records of a CSV file, numbered from 1 (the header), decoded strictly."""

    def __init__(self, path: Path, limits: ImportLimits) -> None:
        self.path = path
        self.file = str(path)
        self.limits = limits
        self.place = _Place()
        self.header: list[str] = []

    def _column(self, index: int | None) -> str:
        if index is None:
            return ""
        if index < len(self.header):
            return self.header[index] or f"column {index + 1}"
        return f"column {index + 1}"

    def _field_at(self, text: str, at: int) -> str:
        """The column of the character at ``at`` of the current line, if its record began on
        that line (a record that spans lines leaves it unknown)."""
        if self.place.line != self.place.record_line:
            return ""
        spans, _ = _spans(text)
        index = next((i for i, (_, end) in enumerate(spans) if at <= end), len(spans) - 1)
        return self._column(index)

    def _lines(self, handle: BinaryIO, number: list[int]) -> Iterator[str]:
        place = self.place
        for raw in handle:
            place.line += 1
            if place.line == 1:
                other = _other_encoding(raw[:4])
                if other is not None:
                    raise refuse(self.file, 1, "", f"{other} text; {SAVE_AS_UTF8}")
                raw = raw.removeprefix(UTF8_BOM)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                valid = raw[: exc.start].decode("utf-8")
                self.place.text = valid
                raise refuse(
                    self.file,
                    number[0] + 1,
                    self._field_at(valid, len(valid)),
                    _not_utf8(raw, exc.start),
                ) from None
            place.text = text
            if place.line == place.record_line:
                place.record_text = text
            if "\x00" in text:
                raise refuse(
                    self.file,
                    number[0] + 1,
                    self._field_at(text, text.index("\x00")),
                    "contains a NUL character (is it UTF-16 text? rarex reads UTF-8)",
                )
            yield text

    def __iter__(self) -> Generator[tuple[int, list[str]], None, None]:
        number = [0]  # records read so far, shared with the line decoder
        with self.path.open("rb") as handle:
            reader = csv.reader(self._lines(handle, number), strict=True)
            while True:
                self.place.record_line = self.place.line + 1
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise self._csv_error(number[0] + 1, str(exc)) from None
                number[0] += 1
                if number[0] > self.limits.max_rows + 1:
                    raise _too_many_rows(self.file, number[0], self.limits)
                yield number[0], values

    def _csv_error(self, row: int, message: str) -> InputInvalid:
        place = self.place
        if "field larger than field limit" in message:
            column = ""
            if place.line == place.record_line:
                spans, _ = _spans(place.text)
                index = next(
                    (i for i, (a, b) in enumerate(spans) if b - a > self.limits.max_cell_chars),
                    None,
                )
                column = self._column(index)
            reason = (
                f"longer than {self.limits.max_cell_chars:,} characters "
                "(the limit is RAREX_IMPORT_MAX_CELL_CHARS)"
            )
            return refuse(self.file, row, column, reason)
        if "unexpected end of data" in message:
            spans, _ = _spans(place.record_text)
            return refuse(
                self.file,
                row,
                self._column(len(spans) - 1),
                "a quote opened here is never closed: the rest of the file would be one value",
            )
        if "expected after" in message:
            if place.line == place.record_line:
                _, bad = _spans(place.text)
                return refuse(
                    self.file,
                    row,
                    self._column(bad),
                    'text after a closing quote: a quote inside a value must be doubled ("")',
                )
            spans, _ = _spans(place.record_text)
            return refuse(
                self.file,
                row,
                self._column(len(spans) - 1),
                "a quote opened here is never closed: the value runs on to line "
                f"{place.line}, where text follows the next quote",
            )
        return refuse(self.file, row, "", f"not valid CSV: {message}")


def read_csv(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> tuple[list[str], Iterator[Row]]:
    """Header and rows of a CSV file (UTF-8, BOM tolerated); row numbers start at 2.

    The header is checked at once. The rows are checked as they are read; a row that does not
    fit the header is not yielded, and its error is raised when the file has been read.
    """
    if not path.is_file():
        raise refuse(str(path), 0, "", "file not found")
    first = _CsvRecords(path, limits)
    records = first.__iter__()
    try:
        header_values = next(records, (1, []))[1]
    finally:
        records.close()
    header = [h.strip() for h in header_values]
    _header_problems(str(path), header, limits)

    def rows() -> Iterator[Row]:
        source = _CsvRecords(path, limits)
        source.header = header
        errors = Collector()
        width, cap, named = len(header), limits.max_cell_chars, "" not in header
        for number, values in source:
            if number == 1 or not "".join(values).strip():  # the header, a blank row
                continue
            fits = len(values) == width and named and max(map(len, values)) <= cap
            if not fits and _row_problems(source.file, number, header, values, errors, limits):
                continue
            yield number, dict(zip(header, values, strict=True))
        errors.raise_if_any()

    return header, rows()


def _row_problems(
    file: str,
    number: int,
    header: list[str],
    values: list[str],
    errors: Collector,
    limits: ImportLimits,
) -> bool:
    before = len(errors.errors)
    if len(values) != len(header):
        errors.add(
            file,
            number,
            "",
            f"{len(values)} values, but the header has {len(header)} columns",
        )
        return True
    for position, (name, value) in enumerate(zip(header, values, strict=True), start=1):
        # Decoded as UTF-8 and free of NUL line by line: only the length is left to check.
        if len(value) > limits.max_cell_chars:
            problem = value_problem(value, limits)
            errors.add(file, number, name or f"column {position}", problem or "")
        elif not name and value.strip():
            errors.add(file, number, f"column {position}", "a value under a column without a name")
    return len(errors.errors) > before or errors.truncated


# ---------------------------------------------------------------- workbooks

XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")  # the ones openpyxl opens
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, and other OLE files
EXCEL_ROWS = 1_048_576
RATIO_FROM_BYTES = 1024 * 1024  # small parts may compress well without being a bomb
CHUNK = 1024 * 1024
FORBIDDEN_XML = (b"<!DOCTYPE", b"<!ENTITY")


def _short(exc: BaseException, path: Path) -> str:
    """An exception's message fit to show: one line, short, naming the file but not its folder."""
    text = f"{type(exc).__name__}: {exc}".replace(str(path), path.name).replace(
        str(path.parent), ""
    )
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


def check_workbook_archive(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> None:
    """Refuse a file that is not a safe .xlsx zip archive, before any of it is unpacked into
    memory: its name, its first bytes, the sizes its members declare and their compression
    ratio; then every member is unpacked in chunks, counted and scanned for a DOCTYPE."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise refuse(
            file,
            0,
            "",
            "the name ends in .xls, the Excel 97-2003 format, which rarex does not read; "
            "save the workbook as .xlsx (if it is one already, rename it to .xlsx)",
        )
    if suffix not in XLSX_SUFFIXES:
        raise refuse(file, 0, "", f"not an .xlsx file name ({suffix or 'no suffix'})")
    with path.open("rb") as handle:
        start = handle.read(8)
    if not start:
        raise refuse(file, 0, "", "an empty file, not an .xlsx workbook")
    if start.startswith(OLE_MAGIC):
        raise refuse(file, 0, "", "an Excel 97-2003 (.xls) workbook, not .xlsx; save it as .xlsx")
    if not start.startswith(b"PK"):
        raise refuse(file, 0, "", "not an .xlsx workbook (an .xlsx file is a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_declared(file, members, limits)
            _check_unpacked(file, archive, members, limits)
    except InputInvalid:
        raise
    except Exception as exc:  # zipfile and zlib raise many kinds on damaged archives
        raise refuse(
            file,
            0,
            "",
            f"a damaged .xlsx workbook (truncated or corrupt zip archive: {_short(exc, path)})",
        ) from None


def _check_declared(file: str, members: list[zipfile.ZipInfo], limits: ImportLimits) -> None:
    if "[Content_Types].xml" not in {m.filename for m in members}:
        raise refuse(file, 0, "", "not an .xlsx workbook (no [Content_Types].xml in the archive)")
    if any(m.flag_bits & 0x1 for m in members):
        raise refuse(file, 0, "", "the workbook is encrypted; save it without a password")
    declared = sum(m.file_size for m in members)
    if declared > limits.max_workbook_bytes:
        raise refuse(file, 0, "", _too_big(f"{declared:,}", limits))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FROM_BYTES and ratio > limits.max_compression_ratio:
            raise refuse(
                file,
                0,
                "",
                f"{member.filename} is compressed {ratio:,.0f} to 1, more than the limit of "
                f"{limits.max_compression_ratio} to 1 (RAREX_IMPORT_MAX_COMPRESSION_RATIO); "
                "a zip bomb?",
            )


def _too_big(size: str, limits: ImportLimits) -> str:
    return (
        f"the workbook unpacks to {size} bytes, more than the limit of "
        f"{limits.max_workbook_bytes:,} (RAREX_IMPORT_MAX_WORKBOOK_BYTES)"
    )


def _check_unpacked(
    file: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: ImportLimits
) -> None:
    total = 0
    for member in members:
        xml = member.filename.lower().endswith((".xml", ".rels", ".vml"))
        with archive.open(member) as stream:
            tail = b""
            first = True
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limits.max_workbook_bytes:
                    raise refuse(file, 0, "", _too_big(f"at least {total:,}", limits))
                if not xml:
                    continue
                if first and (_other_encoding(chunk[:4]) or b"\x00" in chunk[:4]):
                    raise refuse(file, 0, "", f"{member.filename} is not UTF-8 XML")
                first = False
                window = tail + chunk
                if any(marker in window for marker in FORBIDDEN_XML):
                    raise refuse(
                        file,
                        0,
                        "",
                        f"{member.filename} declares a DOCTYPE or entities, which a workbook "
                        "never needs; refused",
                    )
                tail = window[-16:]


class Workbook:
    """An .xlsx workbook opened for reading sheets, after ``check_workbook_archive``."""

    def __init__(self, path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> None:
        import openpyxl  # imported here: only workbook users pay for it

        self.path = path
        self.limits = limits
        self.sheets: list[Generator[tuple[Any, ...], None, None]] = []
        if not path.is_file():
            raise refuse(str(path), 0, "", "file not found")
        check_workbook_archive(path, limits)
        # Opened here, not by openpyxl, so that it is closed whatever openpyxl raises.
        self.handle = path.open("rb")
        try:
            self.book = openpyxl.load_workbook(self.handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl's parsers raise many kinds on bad XML
            self.handle.close()
            raise refuse(
                str(path), 0, "", f"the workbook cannot be read: {_short(exc, path)}"
            ) from None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the sheets being read, then the archive (nothing stays open on an error)."""
        with contextlib.suppress(Exception):  # closing a damaged archive may fail; no matter
            for rows in self.sheets:
                rows.close()
            self.book.close()
        self.handle.close()

    def sheet(self, name: str, file: str) -> tuple[list[str], Iterator[Row]]:
        """Header and rows of one sheet; row numbers are Excel's. ``file`` names the sheet in
        errors (``book.xlsx[parts]``)."""
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        if name not in self.book.sheetnames:
            raise refuse(str(self.path), 1, "", f"the workbook has no sheet {name!r}")
        worksheet = self.book[name]
        if not isinstance(worksheet, ReadOnlyWorksheet):
            raise refuse(file, 1, "", "not a sheet of cells (a chart sheet?)")
        worksheet.reset_dimensions()  # rows as long as their cells, whatever the sheet declares
        self.sheets.append(worksheet.iter_rows(values_only=True))
        cells = _SheetRows(self.path, file, self.sheets[-1], self.limits)
        first = next(cells, None)
        header = [] if first is None else [_header_name(v) for v in first[1]]
        _header_problems(file, header, self.limits)

        def rows() -> Iterator[Row]:
            errors = Collector()
            for number, values in cells:
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                record = _sheet_record(file, number, header, values, errors, self.limits)
                if record is not None:
                    yield number, record
            errors.raise_if_any()

        return header, rows()


def _header_name(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _SheetRows:
    """openpyxl's rows of a sheet, counted against the limits; whatever openpyxl raises on bad
    XML becomes an input error at the row it was reading."""

    def __init__(
        self, path: Path, file: str, rows: Iterator[tuple[Any, ...]], limits: ImportLimits
    ) -> None:
        self.path = path
        self.file = file
        self.rows = rows
        self.limits = limits
        self.number = 0
        self.cells = 0

    def __iter__(self) -> _SheetRows:
        return self

    def __next__(self) -> tuple[int, tuple[Any, ...]]:
        try:
            values = next(self.rows)
        except StopIteration:
            raise
        except Exception as exc:  # openpyxl's XML parsing: any kind, on any damage
            raise refuse(
                self.file,
                self.number + 1,
                "",
                f"the sheet cannot be read: {_short(exc, self.path)}",
            ) from None
        self.number += 1
        self.cells += len(values)
        if self.number > EXCEL_ROWS:  # a row numbered beyond: openpyxl pads the gap with rows
            raise refuse(self.file, self.number, "", f"beyond Excel's last row, {EXCEL_ROWS:,}")
        if self.number > self.limits.max_rows + 1:
            raise _too_many_rows(self.file, self.number, self.limits)
        if self.cells > self.limits.max_sheet_cells:
            raise refuse(
                self.file,
                self.number,
                "",
                f"more than {self.limits.max_sheet_cells:,} cells in the sheet "
                "(the limit is RAREX_IMPORT_MAX_SHEET_CELLS)",
            )
        return self.number, values


def _sheet_record(
    file: str,
    number: int,
    header: list[str],
    values: tuple[Any, ...],
    errors: Collector,
    limits: ImportLimits,
) -> dict[str, Any] | None:
    from openpyxl.utils import get_column_letter

    before = len(errors.errors)
    record: dict[str, Any] = {}
    for index, value in enumerate(values):
        name = header[index] if index < len(header) else ""
        if isinstance(value, str):
            problem = value_problem(value, limits)
            if problem is not None:
                errors.add(file, number, name or get_column_letter(index + 1), problem)
                continue
            if not value.strip():
                value = None
        if not name:
            if value is not None:
                errors.add(
                    file,
                    number,
                    get_column_letter(index + 1),
                    "a value under a column without a name",
                )
            continue
        record[name] = value
    if len(errors.errors) > before or errors.truncated:
        return None
    return record


# ---------------------------------------------------------------- JSON


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object(pairs)
    if len(result) < len(pairs):
        seen: set[str] = set()
        duplicates = []
        for key, _ in pairs:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        result.duplicates = tuple(duplicates)
    return result


class _Constant(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _Constant(name)


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 text of a whole file (BOM tolerated), refused with the line it fails on."""
    other = _other_encoding(data[:4])
    if other is not None:
        raise refuse(file, 0, "", f"{other} text; save it as UTF-8")
    data = data.removeprefix(UTF8_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise refuse(
            file,
            0,
            "",
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} cannot be read; "
            "save it as UTF-8",
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise refuse(file, 0, "", f"a NUL character on line {line} (is it UTF-16? use UTF-8)")
    return text


def parse_json(text: str) -> Any:
    """``json.loads`` for untrusted text: numbers as ``Decimal`` (no float overflow, no limit on
    integer digits), ``NaN`` and ``Infinity`` refused, objects remembering duplicated keys.
    Raises ``ValueError`` with a reason fit to show."""
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except RecursionError:
        raise ValueError("not readable JSON: nested too deeply") from None
    except _Constant as exc:
        raise ValueError(f"not readable JSON: {exc} is not a JSON number") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not readable JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None


def duplicated_keys(value: Any) -> tuple[str, ...]:
    return value.duplicates if isinstance(value, _Object) else ()


def read_json_document(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> Any:
    """The parsed JSON document of a file."""
    file = str(path)
    if not path.is_file():
        raise refuse(file, 0, "", "file not found")
    try:
        return parse_json(decode_text(path.read_bytes(), file))
    except ValueError as exc:
        raise refuse(file, 0, "", str(exc)) from None


def scalar_problem(value: Any, limits: ImportLimits) -> str | None:
    """Why a JSON value cannot be a field of a row (text, a number or null), if it cannot."""
    if value is None or isinstance(value, Decimal):
        return value_problem(str(value), limits) if value is not None else None
    if isinstance(value, str):
        return value_problem(value, limits)
    if isinstance(value, bool):
        return f"expected text or a number, got {str(value).lower()}"
    kind = "an object" if isinstance(value, dict) else "a list"
    return f"expected text or a number, got {kind}"


def json_rows(
    file: str, records: Iterable[Any], limits: ImportLimits, errors: Collector
) -> list[Row]:
    """JSON records checked field by field, numbered from 1; bad ones are left out."""
    rows: list[Row] = []
    for number, record in enumerate(records, start=1):
        if number > limits.max_rows:
            raise _too_many_rows(file, number, limits)
        before = len(errors.errors)
        for key in duplicated_keys(record):
            errors.add(file, number, key, "given twice in the record")
        for key, value in record.items():
            key_problem = value_problem(key, limits)
            if key_problem is not None:
                errors.add(file, number, "", f"a field name {key_problem}")
                continue
            problem = scalar_problem(value, limits)
            if problem is not None:
                errors.add(file, number, key, problem)
        if len(errors.errors) == before and not errors.truncated:
            rows.append((number, record))
    return rows
