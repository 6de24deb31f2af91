"""The input contract of returns.md as data: one Source per landing folder.

Everything that reads, checks, pseudonymises or templates a return takes its columns from here, so the
templates partners fill in and the parser that reads them cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "date", "decimal", "integer", "month", "year"]
Personal = Literal["ni_number", "hash", "drop"]

AGE_BANDS = ("<25", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = ("Female", "Male", "Other", "Not stated")
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "Not stated")
NATIONALITY_GROUPS = ("British", "EU", "Non-EU", "Unknown")
# ONS Census 2021 TS021 (bulk layout): the stored column of each header the warehouse keeps (returns.md,
# "Population"); the detailed categories under each group are read past.
TS021_COLUMNS = {
    "date": "date",
    "geography": "geography",
    "geography code": "geography_code",
    "Ethnic group: Total: All usual residents": "all_usual_residents",
    "Ethnic group: Asian, Asian British or Asian Welsh": "asian",
    "Ethnic group: Black, Black British, Black Welsh, Caribbean or African": "black",
    "Ethnic group: Mixed or Multiple ethnic groups": "mixed",
    "Ethnic group: White": "white",
    "Ethnic group: Other ethnic group": "other",
}
AFC_BANDS = (
    *(f"Band {n}" for n in range(2, 10)),
    *(f"Band 8{c}" for c in "abcd"),
    "Medical",
    "Non-AfC",
)
PEOPLE_PROMISE = (
    "We are compassionate and inclusive",
    "We are recognised and rewarded",
    "We each have a voice that counts",
    "We are safe and healthy",
    "We are always learning",
    "We work flexibly",
    "We are a team",
)
SURVEY_THEMES = ("Staff engagement", "Morale")
SURVEY_PERCENT_QUESTIONS = (
    "Experienced discrimination from manager or colleagues",
    "Experienced harassment from staff",
    "Believe organisation offers equal opportunities for career progression",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "text"
    required: bool = True
    personal: Personal | None = None
    allowed: tuple[str, ...] | None = None
    note: str = ""


@dataclass(frozen=True)
class Source:
    name: str
    group: str
    sector: str
    cadence: Literal["monthly", "quarterly", "annual"]
    description: str
    columns: tuple[Column, ...]
    file_format: Literal["csv", "vcse_workbook", "ods_etr", "published_sickness", "ons_ts021"] = "csv"
    period_column: str | None = None
    key: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ("csv",)
    extra_tables: dict[str, tuple[Column, ...]] = field(default_factory=dict)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, type_: ColumnType = "text", **kw) -> Column:
    return Column(name, type_, **kw)


_ESR_PERSON = (
    _c("org_code"),
    _c("period", "month"),
    _c("ni_number", personal="ni_number", required=True, note="personal; pseudonymised at ingest"),
    _c("employee_number", personal="hash", note="personal; pseudonymised at ingest"),
    _c("assignment_number", personal="hash", note="personal; pseudonymised at ingest"),
    _c("staff_group"),
    _c("occupation_code"),
    _c("afc_band", allowed=AFC_BANDS),
    _c("assignment_category", allowed=("Permanent", "Fixed Term Temp", "Bank")),
    _c("fte", "decimal"),
    _c("assignment_start_date", "date"),
    _c("nhs_start_date", "date"),
    _c("age_band", allowed=AGE_BANDS),
    _c("gender", allowed=GENDERS),
    _c("ethnic_group", allowed=ETHNIC_GROUPS),
    _c("disability", allowed=("Yes", "No", "Not declared")),
)

SOURCES: tuple[Source, ...] = (
    Source(
        name="ics_partners",
        group="reference",
        sector="",
        cadence="monthly",
        description="The ICS partner register: every partner organisation, its sector, merger successor, "
        "membership dates and the returns it is expected to send. The latest period is current.",
        columns=(
            _c("org_code"),
            _c("org_name"),
            _c("sector", allowed=("NHS", "Adult social care", "VCSE")),
            _c("org_type"),
            _c("successor_code"),
            _c("start_date", "date"),
            _c("end_date", "date"),
            _c("expected_returns"),
            _c("place", required=False),
            _c("local_authority_code", required=False),
        ),
        key=("org_code",),
    ),
    Source(
        name="nhs_esr_staff",
        group="nhs_returns",
        sector="NHS",
        cadence="monthly",
        description="NHS staff in post: the ESR snapshot at each month's last day, one row per assignment. "
        "NI, employee and assignment numbers are replaced by keyed hashes before loading.",
        columns=(
            *_ESR_PERSON,
            _c("nationality_group", required=False, allowed=NATIONALITY_GROUPS),
            _c("residence_imd_decile", "integer", required=False),
        ),
        period_column="period",
        key=("assignment_number",),
    ),
    Source(
        name="nhs_esr_leavers",
        group="nhs_returns",
        sector="NHS",
        cadence="monthly",
        description="NHS leavers: one row per assignment ended in the month, with ESR reason and destination.",
        columns=(
            *_ESR_PERSON,
            _c("leaving_date", "date"),
            _c("reason_for_leaving"),
            _c(
                "destination",
                allowed=(
                    "NHS Organisation",
                    "Social Care",
                    "Private Health",
                    "Education",
                    "No Employment",
                    "Unknown",
                ),
            ),
        ),
        period_column="period",
        key=("assignment_number",),
    ),
    Source(
        name="nhs_recruitment",
        group="nhs_returns",
        sector="NHS",
        cadence="monthly",
        description="NHS recruitment: one row per vacancy closed or filled in the month, with its stage dates.",
        columns=(
            _c("org_code"),
            _c("period", "month"),
            _c("vacancy_reference"),
            _c("staff_group"),
            _c("afc_band", allowed=AFC_BANDS),
            _c("approved_date", "date"),
            _c("advert_date", "date"),
            _c("offer_date", "date"),
            _c("checks_complete_date", "date"),
            _c("start_date", "date"),
            _c("outcome", allowed=("Started", "Withdrawn", "Re-advertised")),
        ),
        period_column="period",
        key=("vacancy_reference",),
    ),
    Source(
        name="nhs_pwr",
        group="nhs_returns",
        sector="NHS",
        cadence="monthly",
        description="NHS provider workforce return: establishment, substantive, bank, agency and vacancy FTE "
        "and sickness days per staff group and month.",
        columns=(
            _c("org_code"),
            _c("period", "month"),
            _c("staff_group"),
            _c("establishment_fte", "decimal"),
            _c("substantive_fte", "decimal"),
            _c("bank_fte", "decimal"),
            _c("agency_fte", "decimal"),
            _c("vacancy_fte", "decimal"),
            _c("sickness_fte_days_lost", "decimal"),
            _c("sickness_fte_days_available", "decimal"),
        ),
        period_column="period",
        key=("staff_group",),
    ),
    Source(
        name="nhs_staff_survey",
        group="nhs_returns",
        sector="NHS",
        cadence="annual",
        description="NHS Staff Survey results by organisation, year, measure and staff group.",
        columns=(
            _c("org_code"),
            _c("survey_year", "year"),
            _c("measure", allowed=PEOPLE_PROMISE + SURVEY_THEMES + SURVEY_PERCENT_QUESTIONS),
            _c("group_type", allowed=("All", "Ethnicity", "Disability", "Gender")),
            _c("group_value"),
            _c("score", "decimal"),
            _c("responses", "integer"),
        ),
        period_column="survey_year",
        key=("measure", "group_type", "group_value"),
    ),
    Source(
        name="nhs_wres",
        group="nhs_returns",
        sector="NHS",
        cadence="annual",
        description="Workforce Race Equality Standard counts by indicator and group.",
        columns=(
            _c("org_code"),
            _c("year", "year"),
            _c("indicator", allowed=tuple(f"WRES{n}" for n in range(1, 10))),
            _c("group", allowed=("White", "BME")),
            _c("numerator", "integer"),
            _c("denominator", "integer"),
        ),
        period_column="year",
        key=("indicator", "group"),
    ),
    Source(
        name="asc_wds_workers",
        group="asc_returns",
        sector="Adult social care",
        cadence="monthly",
        description="Adult social care worker records (workforce data set extract), one row per worker. "
        "Worker ids and NI numbers are replaced by keyed hashes before loading.",
        columns=(
            _c("period", "month"),
            _c("establishment_id"),
            _c("worker_id", personal="hash", note="personal; pseudonymised at ingest"),
            _c("ni_number", personal="ni_number", note="personal, often empty; pseudonymised at ingest"),
            _c("main_job_role"),
            _c("contract_type", allowed=("Permanent", "Temporary", "Pool/Bank", "Agency", "Other")),
            _c("zero_hours", allowed=("Yes", "No", "Unknown")),
            _c("contracted_hours", "decimal"),
            _c("start_date_in_role", "date"),
            _c("start_date_in_sector", "date"),
            _c("leave_date", "date"),
            _c("leave_reason"),
            _c("gender", allowed=GENDERS),
            _c("ethnic_group", allowed=ETHNIC_GROUPS),
            _c("age_band", allowed=AGE_BANDS),
            _c("nationality_group", allowed=("British", "EU", "Non-EU", "Unknown")),
            _c("days_sick_12m", "decimal"),
            _c("residence_imd_decile", "integer", required=False),
        ),
        period_column="period",
        key=("establishment_id", "worker_id"),
    ),
    Source(
        name="asc_wds_establishments",
        group="asc_returns",
        sector="Adult social care",
        cadence="monthly",
        description="Adult social care establishments: vacancies per establishment and job role.",
        columns=(
            _c("period", "month"),
            _c("establishment_id"),
            _c("establishment_name"),
            _c("cqc_location_id"),
            _c("local_authority_code"),
            _c("sector", allowed=("Independent", "Local Authority")),
            _c("main_service"),
            _c("job_role"),
            _c("vacancies", "integer"),
        ),
        period_column="period",
        key=("establishment_id", "job_role"),
    ),
    Source(
        name="vcse_returns",
        group="vcse_returns",
        sector="VCSE",
        cadence="quarterly",
        description="VCSE quarterly workforce workbooks: headcount, FTE, volunteers, vacancies, joiners and "
        "leavers by role category (sheet Workforce); leaving reasons and pulse scores where returned.",
        columns=(
            _c("role_category"),
            _c("paid_headcount", "integer"),
            _c("paid_fte", "decimal"),
            _c("volunteers", "integer"),
            _c("vacancies", "integer"),
            _c("joiners", "integer"),
            _c("leavers", "integer"),
            _c("leavers_under_12_months", "integer"),
            _c("sessional_or_agency_fte", "decimal"),
            _c("average_days_to_fill", "decimal"),
        ),
        file_format="vcse_workbook",
        key=("role_category",),
        extensions=("xlsx", "csv"),
        extra_tables={
            "vcse_leaving_reasons": (_c("reason"), _c("count", "integer")),
            "vcse_pulse": (_c("measure"), _c("score", "decimal"), _c("responses", "integer")),
        },
    ),
    Source(
        name="cqc_ratings",
        group="reference",
        sector="",
        cadence="monthly",
        description="CQC ratings snapshot: one row per location and key question (domain).",
        columns=(
            _c("location_id"),
            _c("provider_id"),
            _c("location_name"),
            _c("ods_code"),
            _c("domain", allowed=("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")),
            _c("rating", allowed=("Outstanding", "Good", "Requires improvement", "Inadequate")),
            _c("publication_date", "date"),
        ),
        key=("location_id", "domain"),
    ),
    Source(
        name="nhs_published_sickness",
        group="benchmarks",
        sector="NHS",
        cadence="monthly",
        description="NHS England's published sickness absence rates for every NHS organisation in England, "
        "kept as published: the national benchmark.",
        columns=(
            _c("date", "date"),
            _c("nhse_region_code"),
            _c("nhse_region_name"),
            _c("ics_code"),
            _c("ics_name"),
            _c("org_code"),
            _c("org_name"),
            _c("org_type"),
            _c("fte_days_lost", "decimal"),
            _c("fte_days_available", "decimal"),
            _c("sickness_absence_rate_percent", "decimal"),
        ),
        file_format="published_sickness",
        period_column="date",
        key=("org_code",),
    ),
    Source(
        name="ods_trusts",
        group="reference",
        sector="NHS",
        cadence="monthly",
        description="The ODS 'etr' list of NHS trusts as published (headerless, 27 columns).",
        columns=(
            _c("org_code"),
            _c("org_name"),
            _c("nhse_region_code"),
            _c("icb_code"),
            _c("open_date", "date"),
            _c("close_date", "date"),
        ),
        file_format="ods_etr",
        key=("org_code",),
    ),
    Source(
        name="population_profile",
        group="reference",
        sector="",
        cadence="annual",
        description="ONS Census 2021 TS021 (ethnic group) for lower-tier local authorities, bulk layout as "
        "published: usual residents in total and in the five top-level ethnic groups, for representation.",
        columns=(
            _c("date", "year"),
            _c("geography"),
            _c("geography_code"),
            *(_c(name, "integer") for name in tuple(TS021_COLUMNS.values())[3:]),
        ),
        file_format="ons_ts021",
        period_column="date",
        key=("geography_code",),
    ),
)

SOURCES_BY_NAME = {s.name: s for s in SOURCES}


# Who sends each source's files: the <submitter> of <submitter>[__v<N>].<ext> (returns.md, "What makes a
# landed file a return"). `pattern` is matched case-insensitively against the whole name part; the
# submitter is then written in `case`. `column`, where set, must hold the submitter on every row.
@dataclass(frozen=True)
class Submitter:
    pattern: str
    what: str  # for messages: what the name part must be
    case: Literal["upper", "lower"] = "upper"
    column: str | None = None


def _named(name: str) -> Submitter:
    return Submitter(name, f"'{name}'", "lower")


# ODS codes are 3 to 6 characters (trusts 3, sites 5, practices 6); 2 to 8 leaves room for test and local
# codes. What makes a name misnamed is anything else in it (spaces, brackets, underscores), not its length.
ODS_SUBMITTER = Submitter(r"[A-Z0-9]{2,8}", "the organisation's NHS ODS code (e.g. RWE)", column="org_code")
SUBMITTERS: dict[str, Submitter] = {
    "ics_partners": _named("ics"),
    **dict.fromkeys(
        ("nhs_esr_staff", "nhs_esr_leavers", "nhs_recruitment", "nhs_pwr", "nhs_staff_survey", "nhs_wres"),
        ODS_SUBMITTER,
    ),
    "asc_wds_workers": _named("extract"),
    "asc_wds_establishments": _named("extract"),
    "vcse_returns": Submitter(r"(?:SC|NI|NIC)?[0-9]{3,8}", "the organisation's charity number (e.g. 1012345)"),
    "cqc_ratings": _named("cqc"),
    "nhs_published_sickness": _named("england"),
    "ods_trusts": _named("etr"),
    "population_profile": _named("ts021"),
}
# A source without an entry: a submitter is letters and digits (no spaces, brackets or underscores).
ANY_SUBMITTER = Submitter(r"[A-Z0-9]+", "letters and digits only")


def submitter_of(source_name: str) -> Submitter:
    return SUBMITTERS.get(source_name, ANY_SUBMITTER)
