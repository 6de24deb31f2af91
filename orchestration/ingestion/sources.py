"""The input contract of returns.md as data, in one place: one Source per landing folder, what each table and
column means, the crosswalks, and the value rules (ranges, column pairs, dates in the month).

Everything that reads, checks, pseudonymises or templates a return takes its columns from here, and every file
that restates the contract is generated from here by `make contract` (orchestration/contract.py): the GX
suites, the partners' templates, dbt's raw sources.yml and the return_sources seed, each with a test that fails
when it drifts. So the templates partners fill in and the parser that reads them cannot drift apart.
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
            _c("apprentice", required=False, allowed=("Yes", "No")),
            _c("international_recruit", required=False, allowed=("Yes", "No", "Unknown")),
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
            _c("apprentice", required=False, allowed=("Yes", "No")),
            _c("international_recruit", required=False, allowed=("Yes", "No", "Unknown")),
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


# --- The rest of the contract: what each table and column means and the rules its values follow -------------
# Generated from here (`make contract`; tests fail when a generated file drifts): the GX suites in expectations/
# (quality/rules.py), the partners' templates in templates/ (templates.py), dbt's raw source list
# (models/staging/sources.yml) and the return_sources seed (orchestration/contract.py).

# Each raw table in a line, for dbt's sources.yml.
TABLE_SUMMARIES = {
    "ics_partners": "The ICS partner register as received; the latest period is current.",
    "nhs_esr_staff": "ESR staff in post, one row per assignment per month.",
    "nhs_esr_leavers": "ESR leavers, one row per assignment ended in the month.",
    "nhs_recruitment": "Vacancies closed or filled in the month, with stage dates.",
    "nhs_pwr": "Provider workforce return, one row per trust, month and staff group.",
    "nhs_staff_survey": "NHS Staff Survey scores by organisation, year, measure and group.",
    "nhs_wres": "WRES indicator counts by organisation, year, indicator and group.",
    "asc_wds_workers": "Adult social care worker records, one row per worker per monthly extract.",
    "asc_wds_establishments": "Adult social care vacancies per establishment and job role.",
    "vcse_returns": "VCSE workbook, Workforce sheet, one row per role category per quarter.",
    "vcse_leaving_reasons": "VCSE workbook, Leaving reasons sheet.",
    "vcse_pulse": "VCSE workbook, Pulse sheet.",
    "cqc_ratings": "CQC ratings snapshots.",
    "nhs_published_sickness": "NHS England's published sickness absence rates, every organisation in England.",
    "ods_trusts": "ODS etr list of NHS trusts.",
    "population_profile": "ONS Census 2021 TS021, usual residents by top-level ethnic group per local authority.",
}

# Who sends each source (organisation, extract, register or national publisher) and its title: the
# return_sources seed, which drives expected returns and coverage. A register or national file has no sector.
RETURN_SOURCES = {
    "ics_partners": ("register", "The ICS partner register"),
    "nhs_esr_staff": ("organisation", "ESR staff in post snapshot"),
    "nhs_esr_leavers": ("organisation", "ESR leavers in the month"),
    "nhs_recruitment": ("organisation", "Vacancies closed or filled in the month"),
    "nhs_pwr": ("organisation", "Provider workforce return"),
    "nhs_staff_survey": ("organisation", "NHS Staff Survey results"),
    "nhs_wres": ("organisation", "Workforce Race Equality Standard counts"),
    "asc_wds_workers": ("extract", "ASC worker records extract"),
    "asc_wds_establishments": ("extract", "ASC establishments and vacancies extract"),
    "vcse_returns": ("organisation", "VCSE quarterly workforce workbook"),
    "cqc_ratings": ("national", "CQC ratings snapshot"),
    "nhs_published_sickness": ("national", "NHS England published sickness absence rates"),
    "ods_trusts": ("national", "ODS etr list of NHS trusts"),
    "population_profile": ("national", "ONS Census 2021 TS021 usual residents by ethnic group"),
}

# What a column means, where sources.py gives no note of its own (returns.md's wording). Keyed by
# (source or extra table, column); tests/unit/test_templates.py fails on a column of SOURCES without one.
IMD_MEANING = "Index of Multiple Deprivation decile (1 most deprived .. 10) of the area of the home postcode"
MEANINGS: dict[tuple[str, str], str] = {
    **{
        (s, c): text
        for s in ("nhs_esr_staff", "nhs_esr_leavers")
        for c, text in {
            "org_code": "ODS code of the employing trust",
            "period": "the snapshot month (staff in post at its last day)",
            "ni_number": "National Insurance number",
            "employee_number": "ESR employee number",
            "assignment_number": "ESR assignment number; unique within the organisation and period",
            "staff_group": "NHS main staff group",
            "occupation_code": "ESR occupation code; may be empty",
            "afc_band": "Agenda for Change band",
            "assignment_category": "kind of assignment",
            "fte": "full-time equivalent of the assignment, more than 0 and at most 1.5",
            "assignment_start_date": "start in this organisation",
            "nhs_start_date": "first start in the NHS; may be empty",
            "age_band": "age band",
            "gender": "gender",
            "ethnic_group": "ethnic group",
            "disability": "disability declared",
        }.items()
    },
    ("nhs_esr_staff", "nationality_group"): "nationality group",
    ("nhs_esr_staff", "residence_imd_decile"): IMD_MEANING,
    ("nhs_esr_staff", "apprentice"): "the assignment is an apprenticeship",
    ("nhs_esr_staff", "international_recruit"): "recruited from outside the UK into this post",
    ("nhs_esr_leavers", "period"): "the month the assignment ended in",
    ("nhs_esr_leavers", "leaving_date"): "last day of the assignment, within the period's month",
    ("nhs_esr_leavers", "reason_for_leaving"): "ESR reason for leaving",
    ("nhs_esr_leavers", "destination"): "where the leaver went",
    ("nhs_recruitment", "org_code"): "ODS code of the recruiting trust",
    ("nhs_recruitment", "period"): "the month the vacancy was closed or filled",
    ("nhs_recruitment", "vacancy_reference"): "the vacancy's reference; unique within the organisation and period "
    "(a re-advertised vacancy returns in a later month)",
    ("nhs_recruitment", "staff_group"): "NHS main staff group of the post",
    ("nhs_recruitment", "afc_band"): "Agenda for Change band of the post",
    ("nhs_recruitment", "approved_date"): "vacancy approved; never empty",
    ("nhs_recruitment", "advert_date"): "advert published; may be empty",
    ("nhs_recruitment", "offer_date"): "conditional offer made; may be empty",
    ("nhs_recruitment", "checks_complete_date"): "pre-employment checks complete; may be empty",
    ("nhs_recruitment", "start_date"): "the recruit started; may be empty",
    ("nhs_recruitment", "outcome"): "how the vacancy closed",
    ("nhs_pwr", "org_code"): "ODS code of the trust",
    ("nhs_pwr", "period"): "the month reported",
    ("nhs_pwr", "staff_group"): "NHS main staff group; one row each",
    ("nhs_pwr", "establishment_fte"): "budgeted posts (FTE)",
    ("nhs_pwr", "substantive_fte"): "substantive staff in post (FTE), 0 or more",
    ("nhs_pwr", "bank_fte"): "bank staff used (FTE), 0 or more",
    ("nhs_pwr", "agency_fte"): "agency staff used (FTE), 0 or more",
    ("nhs_pwr", "vacancy_fte"): "vacant posts (FTE), 0 or more",
    ("nhs_pwr", "sickness_fte_days_lost"): "FTE days lost to sickness, at most the days available",
    ("nhs_pwr", "sickness_fte_days_available"): "FTE days available",
    ("nhs_staff_survey", "org_code"): "ODS code of the trust",
    ("nhs_staff_survey", "survey_year"): "the survey year",
    ("nhs_staff_survey", "measure"): "People Promise element, theme or percentage question",
    ("nhs_staff_survey", "group_type"): "the breakdown the row belongs to",
    ("nhs_staff_survey", "group_value"): "All, or the group (White, Ethnic minority, ...)",
    ("nhs_staff_survey", "score"): "0-10 for elements and themes, 0-100 for percentage questions",
    ("nhs_staff_survey", "responses"): "respondents behind the score",
    ("nhs_wres", "org_code"): "ODS code of the trust",
    ("nhs_wres", "year"): "the reporting year",
    ("nhs_wres", "indicator"): "WRES indicator",
    ("nhs_wres", "group"): "the staff group compared",
    ("nhs_wres", "numerator"): "the indicator's numerator (e.g. WRES2: appointed)",
    ("nhs_wres", "denominator"): "the indicator's denominator (e.g. WRES2: shortlisted)",
    ("asc_wds_workers", "period"): "the month of the extract",
    ("asc_wds_workers", "establishment_id"): "the employing establishment",
    ("asc_wds_workers", "worker_id"): "the worker's id in the workforce data set",
    ("asc_wds_workers", "ni_number"): "National Insurance number",
    ("asc_wds_workers", "main_job_role"): "main job role",
    ("asc_wds_workers", "contract_type"): "contract type",
    ("asc_wds_workers", "zero_hours"): "on a zero-hours contract",
    ("asc_wds_workers", "contracted_hours"): "weekly contracted hours; may be empty for zero-hours",
    ("asc_wds_workers", "start_date_in_role"): "start with this employer",
    ("asc_wds_workers", "start_date_in_sector"): "start in adult social care; may be empty",
    ("asc_wds_workers", "leave_date"): "empty while in post; set in the month the worker left",
    ("asc_wds_workers", "leave_reason"): "reason for leaving",
    ("asc_wds_workers", "gender"): "gender",
    ("asc_wds_workers", "ethnic_group"): "ethnic group",
    ("asc_wds_workers", "age_band"): "age band",
    ("asc_wds_workers", "nationality_group"): "nationality group",
    ("asc_wds_workers", "days_sick_12m"): "days of sickness in the last 12 months",
    ("asc_wds_workers", "residence_imd_decile"): IMD_MEANING,
    ("asc_wds_workers", "apprentice"): "the post is an apprenticeship",
    ("asc_wds_workers", "international_recruit"): "recruited from outside the UK into this post",
    ("asc_wds_establishments", "period"): "the month of the extract",
    ("asc_wds_establishments", "establishment_id"): "the establishment",
    ("asc_wds_establishments", "establishment_name"): "its name",
    ("asc_wds_establishments", "cqc_location_id"): "CQC location id; may be empty for non-regulated services",
    ("asc_wds_establishments", "local_authority_code"): "ONS code of the local authority",
    ("asc_wds_establishments", "sector"): "independent or local authority",
    ("asc_wds_establishments", "main_service"): "main service, e.g. Care home with nursing, Domiciliary care",
    ("asc_wds_establishments", "job_role"): "job role; one row each",
    ("asc_wds_establishments", "vacancies"): "vacancies in the role, 0 or more",
    ("vcse_returns", "role_category"): "role category; one row each",
    ("vcse_returns", "paid_headcount"): "paid staff at the quarter end (people)",
    ("vcse_returns", "paid_fte"): "paid staff at the quarter end (FTE)",
    ("vcse_returns", "volunteers"): "volunteers at the quarter end (people)",
    ("vcse_returns", "vacancies"): "vacant paid posts at the quarter end",
    ("vcse_returns", "joiners"): "paid staff who joined in the quarter",
    ("vcse_returns", "leavers"): "paid staff who left in the quarter",
    ("vcse_returns", "leavers_under_12_months"): "of the leavers, those with less than 12 months' service",
    ("vcse_returns", "sessional_or_agency_fte"): "sessional or agency staff used in the quarter (FTE)",
    ("vcse_returns", "average_days_to_fill"): "average days to fill a post filled in the quarter",
    ("vcse_leaving_reasons", "reason"): "reason for leaving",
    ("vcse_leaving_reasons", "count"): "leavers in the quarter with this reason",
    ("vcse_pulse", "measure"): "the pulse-survey question or measure",
    ("vcse_pulse", "score"): "average score, 0-10",
    ("vcse_pulse", "responses"): "respondents behind the score",
    ("ics_partners", "org_code"): "ODS code (NHS), ASC establishment_id, or VCSE charity number",
    ("ics_partners", "org_name"): "the organisation's name",
    ("ics_partners", "sector"): "the organisation's sector",
    ("ics_partners", "org_type"): "e.g. Acute trust, Mental health trust, Community trust, Ambulance trust, ICB, "
    "Care home, Domiciliary care, Charity",
    ("ics_partners", "successor_code"): "set when the organisation merged into another: its history is reported "
    "under the successor",
    ("ics_partners", "start_date"): "start of membership of the ICS",
    ("ics_partners", "end_date"): "end of membership; empty while a partner",
    ("ics_partners", "expected_returns"): "the sources the partner is expected to send, separated by ';' "
    "(drives the coverage figures)",
    ("ics_partners", "place"): "the ICS place the organisation mainly serves (e.g. Leicester City)",
    ("ics_partners", "local_authority_code"): "ONS code of the (lower-tier) local authority of that place",
    ("cqc_ratings", "location_id"): "CQC location id",
    ("cqc_ratings", "provider_id"): "CQC provider id",
    ("cqc_ratings", "location_name"): "the location's name",
    ("cqc_ratings", "ods_code"): "ODS code for NHS locations, else empty",
    ("cqc_ratings", "domain"): "the key question rated",
    ("cqc_ratings", "rating"): "the rating",
    ("cqc_ratings", "publication_date"): "when the rating was published",
}
# Columns whose values are mapped by a dbt seed crosswalk: a value not listed loads as Unknown, with a warning.
CROSSWALKS: dict[tuple[str, str], tuple[str, str]] = {
    **{(s, "staff_group"): ("profession_crosswalk", "NHS") for s in ("nhs_esr_staff", "nhs_esr_leavers")},
    ("nhs_recruitment", "staff_group"): ("profession_crosswalk", "NHS"),
    ("nhs_pwr", "staff_group"): ("profession_crosswalk", "NHS"),
    ("asc_wds_workers", "main_job_role"): ("profession_crosswalk", "Adult social care"),
    ("asc_wds_establishments", "job_role"): ("profession_crosswalk", "Adult social care"),
    ("vcse_returns", "role_category"): ("profession_crosswalk", "VCSE"),
    ("nhs_esr_leavers", "reason_for_leaving"): ("leaving_reason_crosswalk", "NHS"),
    ("asc_wds_workers", "leave_reason"): ("leaving_reason_crosswalk", "Adult social care"),
    ("vcse_leaving_reasons", "reason"): ("leaving_reason_crosswalk", "VCSE"),
}

# Ranges (ERROR): table -> column -> (min, max, strict_min, what a partner is told).
NON_NEGATIVE = (0, None, False, "a number of 0 or more")
IMD_DECILE = (1, 10, False, "a decile from 1 (most deprived) to 10")
RANGES: dict[str, dict[str, tuple[float | None, float | None, bool, str]]] = {
    "nhs_esr_staff": {"fte": (0, 1.5, True, "more than 0 and at most 1.5"), "residence_imd_decile": IMD_DECILE},
    "nhs_esr_leavers": {"fte": (0, 1.5, True, "more than 0 and at most 1.5")},
    "nhs_pwr": {
        c: NON_NEGATIVE
        for c in (
            "establishment_fte",
            "substantive_fte",
            "bank_fte",
            "agency_fte",
            "vacancy_fte",
            "sickness_fte_days_lost",
            "sickness_fte_days_available",
        )
    },
    "nhs_staff_survey": {"responses": NON_NEGATIVE},
    "nhs_wres": {"numerator": NON_NEGATIVE, "denominator": NON_NEGATIVE},
    "asc_wds_workers": {
        "contracted_hours": NON_NEGATIVE,
        "days_sick_12m": NON_NEGATIVE,
        "residence_imd_decile": IMD_DECILE,
    },
    "asc_wds_establishments": {"vacancies": NON_NEGATIVE},
    "vcse_returns": {
        c: NON_NEGATIVE
        for c in (
            "paid_headcount",
            "paid_fte",
            "volunteers",
            "vacancies",
            "joiners",
            "leavers",
            "leavers_under_12_months",
            "sessional_or_agency_fte",
            "average_days_to_fill",
        )
    },
    "vcse_leaving_reasons": {"count": NON_NEGATIVE},
    "vcse_pulse": {"score": (0, 10, False, "a score from 0 to 10"), "responses": NON_NEGATIVE},
    "population_profile": {c: NON_NEGATIVE for c in tuple(TS021_COLUMNS.values())[3:]},  # the counts
    "nhs_published_sickness": {
        "fte_days_lost": NON_NEGATIVE,
        "fte_days_available": NON_NEGATIVE,
        "sickness_absence_rate_percent": (0, 100, False, "a percentage from 0 to 100"),
    },
}
# Scores whose scale depends on the measure (ERROR): (measures, min, max, expected).
SURVEY_SCALES = (
    (PEOPLE_PROMISE + SURVEY_THEMES, 0, 10, "a score from 0 to 10 for People Promise elements and themes"),
    (SURVEY_PERCENT_QUESTIONS, 0, 100, "a percentage from 0 to 100 for percentage questions"),
)
# Column pairs (ERROR): table -> (larger, smaller, expected).
PAIRS = {
    "nhs_pwr": (("sickness_fte_days_available", "sickness_fte_days_lost", "days lost no more than days available"),),
    "nhs_published_sickness": (("fte_days_available", "fte_days_lost", "days lost no more than days available"),),
    "ics_partners": (("end_date", "start_date", "an end_date on or after the start_date"),),
    # returns.md: a vacancy whose start_date is before its approved_date (the rest of the stage order is a WARN,
    # orchestration/ingestion/checks.py).
    "nhs_recruitment": (("start_date", "approved_date", "a start_date on or after the approved_date"),),
}
# Dates that should fall in the return's month (WARN): table -> column -> "within" | "not after".
DATES_IN_MONTH = {
    "nhs_esr_staff": {"assignment_start_date": "not after", "nhs_start_date": "not after"},
    "nhs_esr_leavers": {"leaving_date": "within", "assignment_start_date": "not after"},
    "nhs_recruitment": {
        c: "not after" for c in ("approved_date", "advert_date", "offer_date", "checks_complete_date", "start_date")
    },
    "asc_wds_workers": {"leave_date": "within", "start_date_in_role": "not after"},
    "cqc_ratings": {"publication_date": "not after"},
}
# Keys unique within one return, beyond the contract's own Source.key (table -> columns).
EXTRA_KEYS = {"vcse_leaving_reasons": ("reason",), "vcse_pulse": ("measure",)}
