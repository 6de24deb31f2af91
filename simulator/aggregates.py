"""Aggregate sources of the sample data: NHS staff survey, WRES, VCSE quarterly workbooks, CQC ratings.

Everything here is a function of the generator passed in (same seed, same bytes). The truth returned by
`write_aggregate_sources` is unsuppressed and is computed from the values as written to disk, so a test
can recompute it from the files. See `simulator/AGGREGATES.md`.

This module must not import the warehouse (`orchestration`): it plays the part of the partners.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from pathlib import Path

import numpy as np

from simulator.xlsx import write_xlsx

# --- vocabularies (returns.md, seeds/reference) -------------------------------------------------------

SURVEY_ELEMENTS = [
    "We are compassionate and inclusive",
    "We are recognised and rewarded",
    "We each have a voice that counts",
    "We are safe and healthy",
    "We are always learning",
    "We work flexibly",
    "We are a team",
]
SURVEY_THEMES = ["Staff engagement", "Morale"]
SURVEY_PERCENT = [
    "Experienced discrimination from manager or colleagues",
    "Experienced harassment from staff",
    "Believe organisation offers equal opportunities for career progression",
]
SURVEY_MEASURES = SURVEY_ELEMENTS + SURVEY_THEMES + SURVEY_PERCENT
SURVEY_GROUPS = [
    ("All", "All"),
    ("Ethnicity", "White"),
    ("Ethnicity", "Ethnic minority"),
    ("Ethnicity", "Not stated"),
    ("Disability", "Yes"),
    ("Disability", "No"),
    ("Gender", "Female"),
    ("Gender", "Male"),
    ("Gender", "Other"),
]
SURVEY_COLUMNS = ["org_code", "survey_year", "measure", "group_type", "group_value", "score", "responses"]
WRES_COLUMNS = ["org_code", "year", "indicator", "group", "numerator", "denominator"]
WRES_INDICATORS = [f"WRES{i}" for i in range(1, 10)]

VCSE_ROLE_CATEGORIES = [
    "Care and support",
    "Counselling and therapy",
    "Management and administration",
    "Other",
]
# The VCSE values of seeds/reference/leaving_reason_crosswalk.csv (a test checks they agree).
VCSE_LEAVING_REASONS = [
    "Work-life balance",
    "Pay and reward",
    "Career progression",
    "Relocation",
    "Retirement",
    "Health",
    "End of contract",
    "Dismissal",
    "Conditions of work",
    "Other",
    "Unknown",
]
VCSE_WORKFORCE_COLUMNS = [
    "role_category",
    "paid_headcount",
    "paid_fte",
    "volunteers",
    "vacancies",
    "joiners",
    "leavers",
    "leavers_under_12_months",
    "sessional_or_agency_fte",
    "average_days_to_fill",
]
VCSE_COUNT_COLUMNS = [
    "paid_headcount",
    "volunteers",
    "vacancies",
    "joiners",
    "leavers",
    "leavers_under_12_months",
]
VCSE_FTE_COLUMNS = ["paid_fte", "sessional_or_agency_fte"]
VCSE_ABOUT_FIELDS = ["organisation_name", "charity_number", "quarter_end", "contact_email"]
VCSE_PULSE_MEASURES = [
    "Overall morale",
    "Would recommend as a place to work",
    "Feel valued by the organisation",
]

CQC_DOMAINS = ["Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"]
CQC_RATINGS = ["Outstanding", "Good", "Requires improvement", "Inadequate"]  # best first
CQC_COLUMNS = [
    "location_id",
    "provider_id",
    "location_name",
    "ods_code",
    "domain",
    "rating",
    "publication_date",
]

ACCEPTED = ("accepted", "accepted with warnings")

# --- small helpers --------------------------------------------------------------------------------------


def _month_add(month: str, k: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    idx = y * 12 + (m - 1) + k
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def _month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _parse_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _active_on(org: dict, day: dt.date) -> bool:
    start, end = _parse_date(org.get("start_date")), _parse_date(org.get("end_date"))
    return (start is None or start <= day) and (end is None or end >= day)


def _write_csv(path: Path, header: list[str], rows, bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


def _expects(org: dict, source: str) -> bool:
    """Whether the register row expects `source` (rows without `expected_returns` expect everything)."""
    expected = org.get("expected_returns")
    if expected is None:
        return True
    return source in {x.strip() for x in str(expected).split(";")}


def _survey_years(months: list[str]) -> list[int]:
    """Survey (and WRES) years: those whose fieldwork month, October, is in the range."""
    return sorted({int(m[:4]) for m in months if m[5:7] == "10"})


def _quarter_ends(months: list[str]) -> list[str]:
    return [m for m in months if m[5:7] in ("03", "06", "09", "12")]


def _child(rng: np.random.Generator) -> np.random.Generator:
    return np.random.default_rng(int(rng.integers(0, 2**62)))


# --- VCSE partner register ------------------------------------------------------------------------------

_PLACES = [
    "Riverside", "Fenland", "Northgate", "Meadowbank", "Eastfield", "Westbrook", "Hillcrest", "Marshside",
    "Oakleigh", "Southwold", "Brookvale", "Ashby", "Kingsmead", "Harbourside", "Elmstead", "Millbridge",
    "Thornbury", "Greenacre", "Wolds", "Cathedral City",
]  # fmt: skip
_FOCUS = [
    "Carers Support", "Mental Health Matters", "Hospice Care", "Youth Counselling", "Community Transport",
    "Befriending Service", "Advocacy Project", "Homeless Action", "Dementia Companions", "Recovery Network",
    "Bereavement Support", "Disability Forum", "Older People's Welfare", "Family Action", "Wellbeing Hub",
]  # fmt: skip


def vcse_partners(rng: np.random.Generator, n_orgs: int, first_month: str) -> list[dict]:
    """Partner-register rows for `n_orgs` VCSE charities.

    All are partners from `first_month`, except (when there are at least 8) the last, which joins six
    months later, so coverage has an organisation that is not yet expected.
    """
    if n_orgs <= 0:
        return []
    numbers = 1_000_000 + rng.choice(200_000, size=n_orgs, replace=False)
    names: set[str] = set()
    rows = []
    for i, number in enumerate(numbers):
        while True:
            name = f"{_PLACES[rng.integers(len(_PLACES))]} {_FOCUS[rng.integers(len(_FOCUS))]}"
            if name in names:
                name = f"{name} ({len(names) + 1})"
            if name not in names:
                break
        names.add(name)
        start = first_month
        if n_orgs >= 8 and i == n_orgs - 1:
            start = _month_add(first_month, 6)
        rows.append(
            {
                "org_code": str(int(number)),
                "org_name": name,
                "sector": "VCSE",
                "org_type": "Charity",
                "successor_code": "",
                "start_date": f"{start}-01",
                "end_date": "",
                "expected_returns": "vcse_returns",
            }
        )
    return rows


# --- NHS staff survey and WRES --------------------------------------------------------------------------

_RESPONSES_BY_TYPE = {
    "Acute trust": (2200, 4500),
    "Mental health trust": (1100, 2600),
    "Community trust": (800, 1800),
    "Ambulance trust": (1200, 2500),
    "ICB": (150, 420),
}
_ELEMENT_BASE = {
    "We are compassionate and inclusive": 7.2,
    "We are recognised and rewarded": 5.9,
    "We each have a voice that counts": 6.7,
    "We are safe and healthy": 6.0,
    "We are always learning": 5.6,
    "We work flexibly": 6.2,
    "We are a team": 6.7,
    "Staff engagement": 6.8,
    "Morale": 5.8,
}
# Group effects on 0-10 scores (relative to All).
_GROUP_EFFECT = {
    "White": 0.03,
    "Ethnic minority": -0.12,
    "Not stated": -0.55,
    "Yes": -0.50,
    "No": 0.10,
    "Female": 0.02,
    "Male": -0.06,
    "Other": -0.70,
}
# Percentage questions: probability of "yes" per group.
_PCT_BASE = {
    "Experienced discrimination from manager or colleagues": {
        "White": 0.062, "Ethnic minority": 0.155, "Not stated": 0.14, "Yes": 0.13, "No": 0.07,
        "Female": 0.075, "Male": 0.095, "Other": 0.25,
    },
    "Experienced harassment from staff": {
        "White": 0.18, "Ethnic minority": 0.205, "Not stated": 0.24, "Yes": 0.27, "No": 0.165,
        "Female": 0.18, "Male": 0.19, "Other": 0.35,
    },
    "Believe organisation offers equal opportunities for career progression": {
        "White": 0.585, "Ethnic minority": 0.465, "Not stated": 0.42, "Yes": 0.48, "No": 0.575,
        "Female": 0.56, "Male": 0.54, "Other": 0.40,
    },
}  # fmt: skip


def _trust_profile(rng: np.random.Generator, org: dict) -> dict:
    lo, hi = _RESPONSES_BY_TYPE.get(org.get("org_type", ""), (700, 2000))
    return {
        "responses": int(rng.integers(lo, hi)),
        "response_rate": float(rng.uniform(0.38, 0.55)),
        "em_share": float(rng.uniform(0.12, 0.38)),
        "ns_share": float(rng.uniform(0.004, 0.03)),
        "disabled_share": float(rng.uniform(0.18, 0.30)),
        "female_share": float(rng.uniform(0.70, 0.85)),
        "other_gender_share": float(rng.uniform(0.001, 0.005)),
        "level": float(rng.normal(0, 0.25)),
        "measure_level": {m: float(rng.normal(0, 0.12)) for m in _ELEMENT_BASE},
        "pct_level": {m: float(rng.normal(0, 0.15)) for m in SURVEY_PERCENT},  # relative (log-odds-ish)
    }


def _split_responses(rng: np.random.Generator, prof: dict, total: int) -> dict[str, int]:
    """Respondents per group value; groups of one type add up to at most the total."""
    em = int(rng.binomial(total, prof["em_share"]))
    ns = int(rng.binomial(total - em, prof["ns_share"]))
    white = total - em - ns
    yes = int(rng.binomial(total, prof["disabled_share"]))
    no = int(rng.binomial(total - yes, 0.96))  # the rest prefer not to say
    other = int(rng.binomial(total, prof["other_gender_share"]))
    female = int(rng.binomial(total - other, prof["female_share"]))
    male = int(rng.binomial(total - other - female, 0.97))
    return {
        "All": total, "White": white, "Ethnic minority": em, "Not stated": ns, "Yes": yes, "No": no,
        "Female": female, "Male": male, "Other": other,
    }  # fmt: skip


def _write_survey_and_wres(
    out: Path, rng_survey: np.random.Generator, rng_wres: np.random.Generator, trusts: list[dict], months
) -> tuple[list[dict], list[dict]]:
    years = _survey_years(months)
    profiles = {t["org_code"]: _trust_profile(rng_survey, t) for t in trusts}
    # Year-on-year movements: a random walk on each trust's level of each measure.
    drift: dict[tuple[str, str], float] = {}
    survey_truth: list[dict] = []
    wres_truth: list[dict] = []
    previous: dict[tuple, float] = {}
    for year in years:
        fieldwork = dt.date(year, 10, 1)
        for org in trusts:
            code = org["org_code"]
            if not _active_on(org, fieldwork):
                continue
            prof = profiles[code]
            total = max(30, int(prof["responses"] * rng_survey.uniform(0.92, 1.08)))
            n = _split_responses(rng_survey, prof, total)
            rows = []
            pct_counts: dict[tuple[str, str], tuple[int, int]] = {}
            for measure in SURVEY_MEASURES:
                key = (code, measure)
                if key in drift:
                    step = rng_survey.uniform(0.1, 0.3) * rng_survey.choice([-1.0, 1.0])
                    if measure in SURVEY_PERCENT:
                        step *= 0.4  # on the log-odds scale: about ±1-3 points
                    drift[key] += float(step)
                else:
                    drift[key] = 0.0
                if measure in SURVEY_PERCENT:
                    counts = {}
                    for gv in (
                        "White",
                        "Ethnic minority",
                        "Not stated",
                        "Yes",
                        "No",
                        "Female",
                        "Male",
                        "Other",
                    ):
                        if n[gv] == 0:
                            continue
                        p = _PCT_BASE[measure][gv]
                        logit = np.log(p / (1 - p)) + prof["pct_level"][measure] + drift[key]
                        p = float(1 / (1 + np.exp(-logit)))
                        counts[gv] = (int(rng_survey.binomial(n[gv], p)), n[gv])
                    eth = [counts[g] for g in ("White", "Ethnic minority", "Not stated") if g in counts]
                    counts["All"] = (sum(k for k, _ in eth), sum(m for _, m in eth))
                    pct_counts.update({(measure, g): c for g, c in counts.items()})
                    for gt, gv in SURVEY_GROUPS:
                        if gv in counts:
                            k, m = counts[gv]
                            rows.append((measure, gt, gv, f"{100 * k / m:.1f}", m))
                else:
                    level = _ELEMENT_BASE[measure] + prof["level"] + prof["measure_level"][measure] + drift[key]
                    for gt, gv in SURVEY_GROUPS:
                        if n[gv] == 0:
                            continue
                        effect = 0.0 if gv == "All" else _GROUP_EFFECT[gv]
                        noise = float(rng_survey.normal(0, 1.6 / np.sqrt(n[gv])))
                        score = min(10.0, max(0.0, level + effect + noise))
                        rows.append((measure, gt, gv, f"{score:.2f}", n[gv]))
            if not _expects(org, "nhs_staff_survey"):
                rows = []  # computed all the same (WRES uses the counts), not sent
            elif rows:
                _write_csv(
                    out / "nhs_staff_survey" / str(year) / f"{code}.csv",
                    SURVEY_COLUMNS,
                    [(code, year, m, gt, gv, s, r) for m, gt, gv, s, r in rows],
                )
                for measure, gt, gv, s, r in rows:
                    score = float(s)
                    prev = previous.get((code, measure, gt, gv, year - 1))
                    previous[(code, measure, gt, gv, year)] = score
                    survey_truth.append(
                        {
                            "org_code": code,
                            "year": year,
                            "measure": measure,
                            "group_type": gt,
                            "group_value": gv,
                            "score": score,
                            "responses": r,
                            "previous_score": prev,
                            "change": None if prev is None else score - prev,
                        }
                    )
            if _expects(org, "nhs_wres"):
                wres_truth.append(_write_wres(out, rng_wres, code, year, prof, n, pct_counts))
    return survey_truth, wres_truth


def _count(rng: np.random.Generator, n: int, p: float) -> int:
    """A count near its expected value n * p (half the binomial spread: WRES ratios stay plausible)."""
    mean = n * p
    return int(min(n, max(0, round(mean + rng.normal(0, 0.5 * np.sqrt(mean * (1 - p)))))))


def _write_wres(out: Path, rng: np.random.Generator, code: str, year: int, prof, n, pct_counts) -> dict:
    workforce = int(n["All"] / prof["response_rate"])
    bme_share = min(0.6, prof["em_share"] * rng.uniform(0.9, 1.1))
    bme = max(5, int(workforce * bme_share))
    white = max(5, int(workforce * (1 - bme_share - prof["ns_share"])))
    hc = {"White": white, "BME": bme}
    counts: dict[tuple[str, str], tuple[int, int]] = {}

    # WRES1: staff in Band 8a and above / staff (headcount).
    counts[("WRES1", "White")] = (int(rng.binomial(white, 0.09)), white)
    counts[("WRES1", "BME")] = (int(rng.binomial(bme, 0.05)), bme)
    # WRES2: appointed / shortlisted; White applicants more likely to be appointed.
    shortlisted = int(workforce * rng.uniform(0.2, 0.35))
    sl_bme = max(10, int(shortlisted * min(0.7, bme_share * rng.uniform(1.2, 1.7))))
    sl_white = max(10, shortlisted - sl_bme)
    rate_white = rng.uniform(0.18, 0.30)
    rl = rng.uniform(1.2, 1.8)
    app_white = max(1, _count(rng, sl_white, rate_white))
    app_bme = max(1, _count(rng, sl_bme, rate_white / rl))
    counts[("WRES2", "White")] = (app_white, sl_white)
    counts[("WRES2", "BME")] = (app_bme, sl_bme)
    # WRES3: entering a formal disciplinary process / workforce; BME staff more likely.
    rate_w = rng.uniform(0.005, 0.012)
    ratio = rng.uniform(1.3, 2.1)
    counts[("WRES3", "White")] = (max(1, _count(rng, white, rate_w)), white)
    counts[("WRES3", "BME")] = (_count(rng, bme, min(0.5, rate_w * ratio)), bme)
    # WRES4: accessed non-mandatory training / workforce.
    counts[("WRES4", "White")] = (int(rng.binomial(white, 0.55)), white)
    counts[("WRES4", "BME")] = (int(rng.binomial(bme, 0.52)), bme)
    # WRES5: harassment from patients or the public / survey respondents.
    for group, sgroup, p in (("White", "White", 0.27), ("BME", "Ethnic minority", 0.29)):
        m = n[sgroup] or max(1, int(hc[group] * prof["response_rate"]))
        counts[("WRES5", group)] = (int(rng.binomial(m, p)), m)
    # WRES6-8: the staff survey's counts for White and Ethnic minority respondents.
    for ind, measure, p_default in (
        ("WRES6", "Experienced harassment from staff", 0.19),
        ("WRES7", "Believe organisation offers equal opportunities for career progression", 0.5),
        ("WRES8", "Experienced discrimination from manager or colleagues", 0.1),
    ):
        for group, sgroup in (("White", "White"), ("BME", "Ethnic minority")):
            c = pct_counts.get((measure, sgroup))
            if c is None:
                m = max(1, int(hc[group] * prof["response_rate"]))
                c = (int(rng.binomial(m, p_default)), m)
            counts[(ind, group)] = c
    # WRES9: voting board members of the group / all voting board members.
    board = int(rng.integers(10, 17))
    board_bme = int(rng.binomial(board, 0.12))
    counts[("WRES9", "White")] = (board - board_bme, board)
    counts[("WRES9", "BME")] = (board_bme, board)

    _write_csv(
        out / "nhs_wres" / str(year) / f"{code}.csv",
        WRES_COLUMNS,
        [(code, year, ind, g, *counts[(ind, g)]) for ind in WRES_INDICATORS for g in ("White", "BME")],
    )
    (a_w, s_w), (a_b, s_b) = counts[("WRES2", "White")], counts[("WRES2", "BME")]
    (d_w, h_w), (d_b, h_b) = counts[("WRES3", "White")], counts[("WRES3", "BME")]
    wres2 = (a_w / s_w) / (a_b / s_b) if s_w and s_b and a_b else None
    wres3 = (d_b / h_b) / (d_w / h_w) if h_w and h_b and d_w else None
    return {
        "org_code": code,
        "year": year,
        "wres2_relative_likelihood": wres2,
        "wres3_relative_likelihood": wres3,
        "counts": [
            {
                "indicator": ind,
                "group": g,
                "numerator": counts[(ind, g)][0],
                "denominator": counts[(ind, g)][1],
            }
            for ind in WRES_INDICATORS
            for g in ("White", "BME")
        ],
    }


# --- VCSE quarterly returns -----------------------------------------------------------------------------

_MIX = {
    "care": [0.62, 0.08, 0.15, 0.15],
    "counselling": [0.10, 0.60, 0.18, 0.12],
    "mixed": [0.35, 0.25, 0.20, 0.20],
}
_FTE_PER_HEAD = [0.72, 0.62, 0.82, 0.60]
_VOLUNTEERS_PER_HEAD = [1.2, 0.6, 0.1, 2.0]


def _simulate_vcse_org(rng: np.random.Generator, org: dict, quarters: list[str]) -> dict:
    """True quarterly figures per role category (before any cell is left empty)."""
    size = str(rng.choice(["small", "medium", "large"], p=[0.45, 0.40, 0.15]))
    base = {"small": (4, 20), "medium": (20, 80), "large": (80, 300)}[size]
    total = int(rng.integers(*base))
    mix = _MIX[str(rng.choice(list(_MIX)))]
    weights = rng.dirichlet(np.array(mix) * 20)
    hc = [round(float(total * w)) for w in weights]
    present = [h > 0 for h in hc]
    turnover = float(rng.uniform(0.15, 0.25))
    growth = float(rng.uniform(-0.02, 0.05))
    fte_per_head = [f * rng.uniform(0.9, 1.1) for f in _FTE_PER_HEAD]
    vol_per_head = [v * rng.uniform(0.3, 2.0) for v in _VOLUNTEERS_PER_HEAD]
    early_share = float(rng.uniform(0.25, 0.5))
    days_base = float(rng.uniform(30, 65))
    has_sessional = bool(rng.random() < 0.5)
    values: dict[str, list[dict]] = {}
    for q in quarters:
        rows = []
        for i, cat in enumerate(VCSE_ROLE_CATEGORIES):
            prev = hc[i]
            if present[i]:
                leavers = int(rng.binomial(prev, turnover / 4))
                joiners = int(rng.poisson(max(0.2, prev * (turnover + growth) / 4)))
            else:
                leavers = joiners = 0
            hc[i] = prev + joiners - leavers
            h = hc[i]
            rows.append(
                {
                    "role_category": cat,
                    "paid_headcount": h,
                    "paid_fte": round(h * fte_per_head[i] * rng.uniform(0.97, 1.03), 2) if h else 0.0,
                    "volunteers": int(rng.poisson(h * vol_per_head[i])) if present[i] else 0,
                    "vacancies": int(rng.poisson(0.3 + h * 0.05)) if present[i] else 0,
                    "joiners": joiners,
                    "leavers": leavers,
                    "leavers_under_12_months": int(rng.binomial(leavers, early_share)),
                    "sessional_or_agency_fte": (
                        round(float(rng.gamma(1.5, 0.4 + h * 0.02)), 1) if has_sessional and present[i] else 0.0
                    ),
                    "average_days_to_fill": (round(max(7.0, float(rng.normal(days_base, 12))), 1) if joiners else None),
                }
            )
        values[q] = rows
    # Which cells this organisation leaves empty (small organisations; unknown, not zero).
    blank_cols: set[str] = set()
    blank_cell_p = {}
    if size == "small":
        for col in (
            "volunteers",
            "leavers_under_12_months",
            "sessional_or_agency_fte",
            "average_days_to_fill",
        ):
            if rng.random() < 0.5:
                blank_cols.add(col)
        blank_cell_p = {"vacancies": 0.15, "paid_fte": 0.1}
    elif size == "medium":
        blank_cell_p = {"average_days_to_fill": 0.15}
    for q in quarters:
        for row in values[q]:
            for col in blank_cols:
                row[col] = None
            for col, p in blank_cell_p.items():
                if rng.random() < p:
                    row[col] = None
    has_pulse = size != "small" and bool(rng.random() < 0.6)
    has_reasons = size != "small" and bool(rng.random() < 0.7)
    reason_p = rng.dirichlet(np.array([4, 3, 3, 1.5, 1.5, 1.5, 1, 0.5, 2.0, 1.0, 0.5]))
    pulse_level = float(rng.normal(6.6, 0.5))
    extras: dict[str, dict] = {}
    for q in quarters:
        e: dict = {}
        all_leavers = sum(r["leavers"] for r in values[q])
        if has_reasons and all_leavers:
            counts = rng.multinomial(all_leavers, reason_p)
            e["reasons"] = [(r, int(c)) for r, c in zip(VCSE_LEAVING_REASONS, counts, strict=True) if c]
        if has_pulse and q[5:7] in ("06", "12"):
            heads = sum(r["paid_headcount"] for r in values[q])
            responses = max(3, int(rng.binomial(heads, 0.6)))
            e["pulse"] = [
                (m, round(min(10.0, max(0.0, pulse_level + off + rng.normal(0, 0.25))), 2), responses)
                for m, off in zip(VCSE_PULSE_MEASURES, (0.0, 0.3, -0.4), strict=True)
            ]
        extras[q] = e
    return {"size": size, "values": values, "extras": extras, "has_reasons": has_reasons}


def _vcse_truth_rows(code: str, q: str, rows: list[dict]) -> list[dict]:
    """Truth per role category and `All` for one accepted return (from the values written)."""
    out = []
    for r in rows:
        d = {"org_code": code, "quarter_end": q, "role_category": r["role_category"]}
        for col in VCSE_WORKFORCE_COLUMNS[1:]:
            d[col] = r[col]
        ok = r["joiners"] not in (None, 0) and r["average_days_to_fill"] is not None
        d["days_to_fill_weighted_sum"] = r["average_days_to_fill"] * r["joiners"] if ok else 0.0
        d["days_to_fill_joiners"] = r["joiners"] if ok else 0
        out.append(d)
    total = {"org_code": code, "quarter_end": q, "role_category": "All"}
    for col in VCSE_WORKFORCE_COLUMNS[1:]:
        vals = [r[col] for r in rows]
        if col == "average_days_to_fill":
            continue
        total[col] = None if any(v is None for v in vals) else sum(vals)
    total["days_to_fill_weighted_sum"] = sum(d["days_to_fill_weighted_sum"] for d in out)
    total["days_to_fill_joiners"] = sum(d["days_to_fill_joiners"] for d in out)
    out.append(total)
    for d in out:
        j = d["days_to_fill_joiners"]
        d["mean_days_to_fill"] = d["days_to_fill_weighted_sum"] / j if j else None
        d.pop("average_days_to_fill", None)
    return out


def _workforce_lines(
    header: list[str], rows: list[dict], extra_col: bool = False, variant_header: bool = False
) -> list[list]:
    """Workforce sheet as lines. `variant_header`: other column order, names in other case with spaces
    (returns.md: column order is free; names match case-insensitively after trimming)."""
    cols = list(VCSE_WORKFORCE_COLUMNS)
    names = list(header)
    if variant_header:
        order = [0, *range(len(cols) - 1, 0, -1)]
        cols = [cols[i] for i in order]
        names = [f" {names[i].title()}" if k % 2 else names[i].upper() for k, i in enumerate(order)]
    lines: list[list] = [[*names, "notes"] if extra_col else names]
    for i, r in enumerate(rows):
        line = [r[c] for c in cols]
        if extra_col:
            line.append("figures from payroll" if i == 0 else None)
        lines.append(line)
    return lines


def _vcse_sheets(about: list, workforce: list[list], reasons: list, pulse: list | None) -> list:
    sheets = [("About", about), ("Workforce", workforce)]
    if reasons:
        sheets.append(("Leaving reasons", [("reason", "count"), *reasons]))
    if pulse:
        sheets.append(("Pulse", [("measure", "score", "responses"), *pulse]))
    return sheets


_MESSY_PLAN = [
    # case, preferred quarter index (negative: from the end), expected outcome
    ("vcse_blank_cells", -1, "accepted"),
    ("vcse_misspelt_column", -3, "quarantined"),
    ("vcse_quarter_end_mismatch", -2, "quarantined"),
    ("vcse_negative_vacancy", 1, "quarantined"),
    ("vcse_header_variants", 2, "accepted"),
    ("vcse_text_in_number", 3, "quarantined"),
    ("vcse_missing_return", -6, "missing"),
    ("vcse_resubmission", -1, "accepted"),
    ("vcse_unmapped_leaving_reason", -5, "accepted with warnings"),
    ("vcse_extra_column", 0, "accepted with warnings"),
]


def _assign_messy(
    candidates: list[str], quarters_of: dict[str, list[str]], prefer: dict[str, list[str]]
) -> dict[tuple[str, str], tuple]:
    """(org, quarter-end) -> (case, outcome): each case on its own return, spread over organisations.

    `prefer` lists, per case, the organisations to try first (e.g. those that send leaving reasons)."""
    plan: dict[tuple[str, str], tuple] = {}
    if not candidates:
        return plan
    for i, (case, qidx, outcome) in enumerate(_MESSY_PLAN):
        first = [c for c in prefer.get(case, []) if c in candidates]
        if first:
            used = {o for o, _ in plan}
            first = [c for c in first if c not in used] + [c for c in first if c in used]
            order = first + [c for c in candidates if c not in first]
        else:
            order = candidates[i % len(candidates) :] + candidates[: i % len(candidates)]
        for k in range(len(candidates) * 4):
            org = order[k % len(order)]
            qs = quarters_of[org]
            if not qs:
                continue
            j = qidx + k // len(candidates) if qidx >= 0 else qidx - k // len(candidates)
            j = min(max(j, -len(qs)), len(qs) - 1)
            if (org, qs[j]) not in plan:
                plan[(org, qs[j])] = (case, outcome)
                break
    return plan


def _write_vcse(out: Path, rng: np.random.Generator, vcse: list[dict], months: list[str]) -> tuple[dict, list]:
    all_quarters = _quarter_ends(months)
    quarters_of = {}
    for org in vcse:
        quarters_of[org["org_code"]] = [q for q in all_quarters if _active_on(org, _month_end(q))]
    sims = {org["org_code"]: _simulate_vcse_org(_child(rng), org, all_quarters) for org in vcse}
    # A few organisations send the Workforce sheet alone as CSV.
    n_csv = max(1, round(len(vcse) * 0.08)) if len(vcse) >= 6 else 0
    full_range = [o["org_code"] for o in vcse if quarters_of[o["org_code"]] == all_quarters]
    csv_orgs = set(full_range[-n_csv - 1 : -1]) if n_csv else set()
    candidates = [c for c in full_range if c not in csv_orgs]
    prefer = {
        "vcse_unmapped_leaving_reason": [c for c in candidates if sims[c]["has_reasons"]],
        "vcse_blank_cells": [c for c in candidates if sims[c]["size"] == "small"],
    }
    plan = _assign_messy(candidates, quarters_of, prefer)

    statuses, quarter_rows, pulse_rows, reason_rows, messy = [], [], [], [], []
    names = {o["org_code"]: o["org_name"] for o in vcse}
    for org in vcse:
        code = org["org_code"]
        sim = sims[code]
        slug = "".join(ch for ch in names[code].lower() if ch.isalnum())[:20]
        for q in quarters_of[code]:
            rows = [dict(r) for r in sim["values"][q]]
            extras = sim["extras"][q]
            case, outcome = plan.get((code, q), (None, "accepted"))
            ext = "csv" if code in csv_orgs else "xlsx"
            rel = Path("vcse_returns") / q / f"{code}.{ext}"
            header = list(VCSE_WORKFORCE_COLUMNS)
            about_q = q
            reasons = list(extras.get("reasons", []))
            pulse = extras.get("pulse")
            extra_col = variant_header = False
            detail = ""
            if case == "vcse_blank_cells":
                i = max(range(4), key=lambda k: (rows[k]["paid_headcount"], -k))
                for col in ("paid_headcount", "paid_fte", "leavers", "volunteers"):
                    rows[i][col] = None
                detail = (
                    f"{rows[i]['role_category']}: paid_headcount, paid_fte, leavers and volunteers empty; "
                    "loaded as unknown (not zero), so the All headcount and leavers are NULL"
                )
            elif case == "vcse_misspelt_column":
                header[header.index("paid_headcount")] = "paid_headcuont"
                detail = "Workforce column paid_headcount misspelt paid_headcuont: required column missing"
            elif case == "vcse_quarter_end_mismatch":
                about_q = _month_add(q, -3)
                detail = f"About quarter_end {about_q} disagrees with folder {q}"
            elif case == "vcse_negative_vacancy":
                rows[0]["vacancies"] = -1
                detail = "Workforce vacancies = -1 for Care and support: a negative count"
            elif case == "vcse_header_variants":
                variant_header = True
                detail = "Workforce columns in another order, names in other case with leading spaces: accepted"
            elif case == "vcse_text_in_number":
                i = max(range(4), key=lambda k: (rows[k]["paid_headcount"], -k))
                rows[i]["volunteers"] = "n/a"
                detail = f"Workforce volunteers = 'n/a' for {rows[i]['role_category']}: not an integer"
            elif case == "vcse_missing_return":
                detail = "expected quarterly return never sent"
            elif case == "vcse_resubmission":
                detail = "v1 overstated leavers and headcount by 2 (Care and support); __v2 corrects it"
            elif case == "vcse_unmapped_leaving_reason":
                total_leavers = sum(r["leavers"] or 0 for r in rows)
                if reasons:
                    reasons[0] = ("Burnout", reasons[0][1])
                else:
                    reasons = [("Burnout", total_leavers)]
                detail = "Leaving reasons has 'Burnout', not in the crosswalk: mapped to Unknown"
            elif case == "vcse_extra_column":
                extra_col = True
                detail = "Workforce has an unknown extra column 'notes': ignored and reported"

            about = [
                ("field", "value"),
                ("organisation_name", names[code]),
                ("charity_number", code),
                ("quarter_end", about_q),
                ("contact_email", f"workforce@{slug}.example.org"),
            ]
            if case != "vcse_missing_return":
                if case == "vcse_resubmission":
                    wrong = [dict(r) for r in rows]
                    wrong[0]["leavers"] = (wrong[0]["leavers"] or 0) + 2
                    wrong[0]["paid_headcount"] = (wrong[0]["paid_headcount"] or 0) + 2
                    write_xlsx(out / rel, _vcse_sheets(about, _workforce_lines(header, wrong), reasons, pulse))
                    rel = rel.with_name(f"{code}__v2.{ext}")
                lines = _workforce_lines(header, rows, extra_col, variant_header)
                if ext == "csv":
                    _write_csv(out / rel, lines[0], lines[1:], bom=True)  # Excel's "CSV UTF-8"
                else:
                    write_xlsx(out / rel, _vcse_sheets(about, lines, reasons, pulse))
            if case:
                messy.append(
                    {
                        "case": case,
                        "source": "vcse_returns",
                        "path": rel.as_posix(),
                        "expected_outcome": outcome,
                        "detail": detail,
                        "org_code": code,
                        "period": q,
                    }
                )
            statuses.append({"org_code": code, "quarter_end": q, "status": outcome, "path": rel.as_posix()})
            if outcome in ACCEPTED:
                quarter_rows.extend(_vcse_truth_rows(code, q, rows))
                for m, s, n in pulse or []:
                    pulse_rows.append({"org_code": code, "quarter_end": q, "measure": m, "score": s, "responses": n})
                for r, c in reasons:
                    reason_rows.append({"org_code": code, "quarter_end": q, "reason": r, "count": c})

    turnover = _vcse_turnover(vcse, quarters_of, all_quarters, statuses, quarter_rows)
    truth = {
        "returns": statuses,
        "quarters": quarter_rows,
        "turnover": turnover,
        "pulse": pulse_rows,
        "leaving_reasons": reason_rows,
        "sizes": {code: sims[code]["size"] for code in sims},
        "csv_orgs": sorted(csv_orgs),
    }
    return truth, messy


def _vcse_turnover(vcse, quarters_of, all_quarters, statuses, quarter_rows) -> list[dict]:
    """12-month figures at each quarter-end M with M-12 in the range (NULL unless computable)."""
    status = {(s["org_code"], s["quarter_end"]): s["status"] for s in statuses}
    totals = {(r["org_code"], r["quarter_end"]): r for r in quarter_rows if r["role_category"] == "All"}
    result = []
    last = all_quarters[-1] if all_quarters else None
    for org in vcse:
        code = org["org_code"]
        for m in all_quarters:
            window = [_month_add(m, -k) for k in (12, 9, 6, 3, 0)]
            if window[0] not in all_quarters:
                continue
            rec = {
                "org_code": code,
                "period": m,
                "is_last_quarter": m == last,
                "leavers_12m": None,
                "joiners_12m": None,
                "leavers_under_12_months_12m": None,
                "headcount_start": None,
                "headcount_end": None,
                "turnover_rate_12m": None,
                "early_leaver_share_12m": None,
                "missing_or_quarantined": [q for q in window if status.get((code, q)) not in ACCEPTED],
            }
            if not rec["missing_or_quarantined"]:
                t = [totals[(code, q)] for q in window]
                rec["headcount_start"] = t[0]["paid_headcount"]
                rec["headcount_end"] = t[4]["paid_headcount"]
                for col in ("leavers", "joiners", "leavers_under_12_months"):
                    vals = [x[col] for x in t[1:]]
                    rec[f"{col}_12m"] = None if any(v is None for v in vals) else sum(vals)
                a, b, lv = rec["headcount_start"], rec["headcount_end"], rec["leavers_12m"]
                if a is not None and b is not None and lv is not None and (a + b) > 0:
                    rec["turnover_rate_12m"] = lv / ((a + b) / 2)
                early = rec["leavers_under_12_months_12m"]
                if lv and early is not None:
                    rec["early_leaver_share_12m"] = early / lv
            result.append(rec)
    return result


# --- CQC ratings ----------------------------------------------------------------------------------------


def _rating_step(rng: np.random.Generator, idx: int, p_same: float = 0.7) -> int:
    u = rng.random()
    if u < p_same:
        return idx
    step = -1 if u < p_same + (1 - p_same) * 0.5 else 1
    return int(min(3, max(0, idx + step)))


def _inspection(rng: np.random.Generator, overall: int) -> dict[str, str]:
    ratings = {"Overall": CQC_RATINGS[overall]}
    for d in CQC_DOMAINS[1:]:
        p_same = 0.82 if d == "Well-led" else 0.7
        ratings[d] = CQC_RATINGS[_rating_step(rng, overall, p_same)]
    return ratings


def _write_cqc(out: Path, rng: np.random.Generator, trusts, establishments, months) -> list[dict]:
    if not months:
        return []
    first_day = dt.date(int(months[0][:4]), int(months[0][5:7]), 1)
    locations = []  # dicts: location_id, provider_id, name, owner (trust code or None), events
    by_code = {t["org_code"]: t for t in trusts}
    for t in trusts:
        if t.get("org_type") == "ICB":
            continue
        for k in range(1 + int(rng.random() < 0.5)):
            site = "main site" if k == 0 else "community services"
            locations.append(
                {
                    "location_id": f"{t['org_code']}{k + 1:02d}",
                    "name": f"{t['org_name']} - {site}",
                    "trust": t,
                }
            )
    providers: list[str] = []
    for e in establishments:
        if not e.get("cqc_location_id"):
            continue
        if providers and rng.random() < 0.3:
            provider = providers[int(rng.integers(len(providers)))]
        else:
            provider = f"1-{int(rng.integers(100_000_000, 999_999_999))}"
            providers.append(provider)
        locations.append(
            {
                "location_id": e["cqc_location_id"],
                "provider_id": provider,
                "name": e["establishment_name"],
                "trust": None,
            }
        )
    last_day = _month_end(months[-1])
    for loc in locations:
        nhs = loc["trust"] is not None
        p = [0.08, 0.55, 0.33, 0.04] if nhs else [0.04, 0.74, 0.19, 0.03]
        overall = int(rng.choice(4, p=p))
        events = []
        if rng.random() < 0.05:
            # Not yet rated when the range starts: first rating part-way through.
            first = first_day + dt.timedelta(days=int(rng.integers(30, max(31, (last_day - first_day).days))))
        else:
            first = first_day - dt.timedelta(days=int(rng.integers(30, 5 * 365)))
        events.append((first, _inspection(rng, overall)))
        day = first
        while True:
            day = day + dt.timedelta(days=int(rng.integers(500, 1400)))
            if day > last_day:
                break
            overall = _rating_step(rng, overall, 0.6)
            events.append((day, _inspection(rng, overall)))
        loc["events"] = events

    def owner_of(trust: dict, day: dt.date) -> dict | None:
        seen = set()
        while trust is not None and not _active_on(trust, day):
            nxt = trust.get("successor_code") or ""
            if nxt in seen or nxt not in by_code:
                return None
            seen.add(nxt)
            trust = by_code[nxt]
        return trust

    truth = []
    for month in months:
        end = _month_end(month)
        rows = []
        tally = {"NHS": [0, 0], "Adult social care": [0, 0]}
        for loc in locations:
            current = [ev for ev in loc["events"] if ev[0] <= end]
            if not current:
                continue
            pub, ratings = current[-1]
            if loc["trust"] is not None:
                owner = owner_of(loc["trust"], end)
                if owner is None:
                    continue
                provider, ods, sector = owner["org_code"], owner["org_code"], "NHS"
            else:
                provider, ods, sector = loc["provider_id"], "", "Adult social care"
            for d in CQC_DOMAINS:
                rows.append((loc["location_id"], provider, loc["name"], ods, d, ratings[d], pub.isoformat()))
            tally[sector][1] += 1
            tally[sector][0] += ratings["Well-led"] in ("Good", "Outstanding")
        _write_csv(out / "cqc_ratings" / month / "cqc.csv", CQC_COLUMNS, rows)
        for sector, (num, den) in tally.items():
            truth.append(
                {
                    "period": month,
                    "sector": sector,
                    "well_led_good_or_outstanding": num,
                    "rated_locations": den,
                    "share": num / den if den else None,
                }
            )
    return truth


# --- entry point ----------------------------------------------------------------------------------------


def write_aggregate_sources(
    out: Path,
    *,
    rng: np.random.Generator,
    nhs_trusts: list[dict],
    asc_establishments: list[dict],
    vcse: list[dict],
    months: list[str],
) -> dict:
    """Write nhs_staff_survey, nhs_wres, vcse_returns and cqc_ratings under `out`; return their truth."""
    out = Path(out)
    months = sorted(months)
    r_survey, r_wres, r_vcse, r_cqc = (_child(rng) for _ in range(4))
    survey, wres = _write_survey_and_wres(out, r_survey, r_wres, nhs_trusts, months)
    vcse_truth, messy = _write_vcse(out, r_vcse, vcse, months)
    cqc = _write_cqc(out, r_cqc, nhs_trusts, asc_establishments, months)
    return {"vcse": vcse_truth, "survey": survey, "wres": wres, "cqc": cqc, "messy_cases": messy}
