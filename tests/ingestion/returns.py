"""Valid returns of every source, written from the same contract the ingestion reads (sources.py)."""

from __future__ import annotations

import io

import openpyxl

from orchestration.ingestion.sources import SOURCES_BY_NAME, Column

NI_NUMBERS = ["QQ123456C", "qq 12 34 56 c", "AB654321D"]  # the first two are one person


def value_for(column: Column, period: str, index: int) -> str:
    """A valid cell for the column in a return of the given period (YYYY-MM or YYYY)."""
    month = period if len(period) == 7 else f"{period}-03"
    if column.allowed:
        return column.allowed[index % len(column.allowed)]
    if column.name in ("period", "quarter_end"):
        return period
    if column.name in ("survey_year", "year"):
        return period[:4]
    if column.name == "ni_number":
        return NI_NUMBERS[index % len(NI_NUMBERS)]
    if column.name in ("employee_number", "worker_id"):
        return f"E{1000 + index}"
    if column.name == "assignment_number":
        return f"E{1000 + index}-1"
    if column.name == "vacancy_reference":
        return f"V-{index}"
    if column.name == "leave_date" or column.name.endswith("sickness_fte_days_lost"):
        return "" if column.type == "date" else "10"
    if column.type == "date":
        return f"{month}-1{index % 9}"
    if column.name == "fte":
        return "0.8"
    if column.name == "sickness_fte_days_available":
        return "200"
    if column.name == "score":  # survey elements and themes are on a 0-10 scale (a quality rule)
        return str(5 + index)
    if column.name == "residence_imd_decile":  # a decile, 1 to 10 (a quality rule)
        return str(1 + index)
    if column.type in ("decimal", "integer"):
        return str(10 + index)
    if column.name == "staff_group":
        return ["Nursing and Midwifery Registered", "Medical and Dental", "Allied Health Professionals"][index % 3]
    return f"{column.name}-{index}"


def csv_text(source_name: str, period: str, submitter: str, rows: int = 3) -> str:
    source = SOURCES_BY_NAME[source_name]
    lines = [",".join(source.column_names)]
    for i in range(rows):
        values = []
        for column in source.columns:
            value = value_for(column, period, i)
            if column.name in ("org_code", "establishment_id"):
                value = submitter if source_name.startswith("nhs") else "1-100000001"
            values.append(f'"{value}"' if "," in value else value)
        lines.append(",".join(values))
    return "\n".join(lines) + "\n"


def vcse_workbook(period: str, charity: str, quarter_end: str | None = None) -> bytes:
    source = SOURCES_BY_NAME["vcse_returns"]
    book = openpyxl.Workbook()
    about = book.active
    about.title = "About"
    about.append(["field", "value"])
    for field, value in (
        ("organisation_name", "Helping Hands"),
        ("charity_number", charity),
        ("quarter_end", quarter_end or period),
        ("contact_email", "someone@example.org"),
    ):
        about.append([field, value])
    workforce = book.create_sheet("Workforce")
    workforce.append(list(source.column_names))
    for i, category in enumerate(("Care and support", "Counselling and therapy", "Management and administration")):
        workforce.append([category, 10 + i, 8.5 + i, 3, 1, 2, 1, 0, 0.5, 30 + i])
    reasons = book.create_sheet("Leaving reasons")
    reasons.append(["reason", "count"])
    reasons.append(["Work-life balance", 2])
    pulse = book.create_sheet("Pulse")
    pulse.append(["measure", "score", "responses"])
    pulse.append(["I feel valued", 7.2, 14])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def register_text(codes: list[tuple[str, str, str]]) -> str:
    """codes: (org_code, sector, expected_returns)."""
    lines = ["org_code,org_name,sector,org_type,successor_code,start_date,end_date,expected_returns"]
    lines += [f"{code},Org {code},{sector},Type,,2020-01-01,,{expected}" for code, sector, expected in codes]
    return "\n".join(lines) + "\n"
