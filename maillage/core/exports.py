"""CSV and XLSX downloads, for every app: the one place that writes spreadsheet files.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (OWASP "CSV injection"): a local
professional named `=HYPERLINK("http://x","y")` would become a live link in the
coordinator's spreadsheet. Such text is prefixed with a single quote, which spreadsheets
read as "this is text". Real numbers stay numbers (-3 is a number, not a formula); only
text is neutralised, including text that looks like a number ("-3" typed by someone).
A test keeps `csv.writer(` and `Workbook(` out of the rest of the code.
"""

import csv
import datetime
import decimal
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(text: str) -> str:
    """The text with a leading single quote when a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _is_number(value) -> bool:
    return isinstance(value, int | float | decimal.Decimal)


def csv_cell(value):
    """One CSV cell: numbers as they are, everything else as neutralised text."""
    if value is None:
        return ""
    if _is_number(value):
        return value
    return neutralise(str(value))


def xlsx_value(value):
    """One XLSX cell value: numbers and dates typed, everything else neutralised text."""
    if value is None or _is_number(value):
        return value
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: write the local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date | datetime.time):
        return value
    # Control characters are not allowed in the XML of a sheet (openpyxl refuses them).
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return _attachment(response, filename)


def workbook_bytes(sheets: list[tuple[str, list[list]]]) -> bytes:
    """An XLSX file of several sheets, `(title, rows)` each (the header is a row like the
    others): every cell neutralised, text never read as a formula."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=xlsx_value(value))
                if isinstance(cell.value, str):
                    # Never a formula, whatever openpyxl would infer from the text.
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file already written (a stored report), served as an attachment."""
    return _attachment(HttpResponse(content, content_type=content_type), filename)


def xlsx_response(filename: str, header: list[str], rows, title: str) -> HttpResponse:
    content = workbook_bytes([(title, [header, *rows])])
    return file_response(content, filename, XLSX_CONTENT_TYPE)
