"""Writes the analyst notebooks from the cells below (run: python notebooks/build_notebooks.py).

Kept as code so a change to a notebook is reviewed as a diff of text, not of JSON."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """import os
import textwrap
from pathlib import Path

import duckdb
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import PercentFormatter

from orchestration.resources import coverage_threshold

# Text from partners' returns (organisation names, reasons) is shown, never run: pandas escapes HTML in its
# tables; MathJax must not read a '$' in that text as mathematics (it can build links), nor matplotlib in labels.
pd.set_option("display.html.use_mathjax", False)
plt.rcParams["text.parse_math"] = False

# The published file, read-only: the refresh swaps it atomically, so a query sees one complete version.
MARTS = Path(os.environ.get("WF_MARTS", Path.cwd().parent / "warehouse" / "marts.duckdb"))
con = duckdb.connect(str(MARTS), read_only=True)


def q(sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


# As the board pack (orchestration/boardpack): a month standing on fewer than the coverage threshold of the
# partners expected (the dbt var coverage_threshold), or provisional, is drawn as an open circle and not joined
# into the line; a suppressed value is never drawn.
LOW_COVERAGE = coverage_threshold()
names = dict(q("select org_code, org_name from dim_organisation").itertuples(index=False))


def month_axis(ax):
    \"\"\"Dates on the x axis, at most eight labels that never overlap.\"\"\"
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def percent_axis(ax, axis="y"):
    \"\"\"Fractions shown as percentages (0.25 as 25%).\"\"\"
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0))


def plot_marked(ax, part, label, **style):
    \"\"\"One series: real points joined; provisional or low-coverage months as open circles, not joined.\"\"\"
    low = part.is_provisional.fillna(False).astype(bool) | (part.orgs_reporting < LOW_COVERAGE * part.orgs_expected)
    (line,) = ax.plot(part.period, part.value.where(~low), label=label, **style)
    ax.plot(part.period[low], part.value[low], linestyle="none", marker="o", markerfacecolor="white",
            color=line.get_color())


refresh = q("select refresh_id, finished, returns_used, returns_quarantined from refresh_log")
refresh"""

SCORECARD = [
    new_markdown_cell(
        "# The seven system KPIs: scorecard\n\n"
        "The ICS People and Culture Board's seven workforce KPIs for NHS trusts, adult social care (ASC) "
        "providers and VCSE organisations, from the published marts (`WF_MARTS`).\n\n"
        "**How to read it.** Every rate is shown as a percentage over its own **basis**: NHS vacancy and "
        "bank and agency figures are on FTE, ASC and VCSE on headcount. A sector value is the sum of the "
        "reporting partners' numerators over the sum of their denominators, never an average of rates; the "
        "`System` value is shown only where every sector uses the same basis (otherwise it is blank and "
        "`basis = mixed`). **Coverage** (`orgs_reporting` of `orgs_expected`) says how many partners a figure "
        "stands on. Counts of 1 to 4 people are suppressed: shown as *suppressed* in tables and never drawn (not as "
        "0). 12-month figures need a complete year of returns. In the charts a month that is provisional, or stands "
        "on fewer than the coverage threshold (75%) of the partners expected, is an open circle, not joined into the line."
    ),
    new_code_cell(SETUP),
    new_markdown_cell(
        "## The latest month at a glance\n\nOne row per KPI and sector, profession `All`, with basis and coverage."
    ),
    new_code_cell(
        """latest = q("select max(period) as period from mart_system_kpis where kpi = 'turnover_rate_12m' and value is not null")
period = latest.period[0]
scorecard = q(f'''
    select kpi, sector, round(value, 4) as value, basis, numerator, denominator,
           orgs_reporting || ' of ' || orgs_expected as coverage, is_provisional, is_suppressed
    from mart_system_kpis
    where period = '{period}' and profession = 'All'
    order by kpi, sector
''')
period_label = pd.Timestamp(period).strftime("%B %Y")
# each KPI's unit from the registry (metric_definitions): a share reads as a percentage
FORMATS = {"share": "{:.1%}", "count": "{:,.0f}", "days": "{:.1f} days", "years": "{:.1f} years"}
units = dict(q("select kpi, unit from metric_definitions").itertuples(index=False))
scorecard["shown"] = [
    "suppressed" if suppressed else "" if pd.isna(value) else FORMATS[units[kpi]].format(value)
    for kpi, value, suppressed in zip(scorecard.kpi, scorecard.value, scorecard.is_suppressed, strict=True)
]
print(f"Latest complete month: {period_label}")
scorecard[["kpi", "sector", "shown", "basis", "coverage", "is_provisional"]]"""
    ),
    new_markdown_cell(
        "## Turnover over time, by sector\n\n"
        "Solid lines: all leavers. Dashed: **system turnover**, leavers who did not move to another partner "
        "(a move inside the ICS is a transfer kept in the system, not a loss). The gap between the two is "
        "the internal moves only this warehouse can see."
    ),
    new_code_cell(
        """trend = q('''
    select period, sector, kpi, value, orgs_reporting, orgs_expected, is_provisional from mart_system_kpis
    where profession = 'All' and kpi in ('turnover_rate_12m', 'system_turnover_rate_12m')
      and sector in ('NHS', 'Adult social care', 'System') and value is not null
    order by period
''')
fig, ax = plt.subplots(figsize=(9, 4))
for (sector, kpi), part in trend.groupby(["sector", "kpi"]):
    plot_marked(ax, part, f"{sector}: {'system ' if kpi.startswith('system') else ''}turnover",
                linestyle="--" if kpi.startswith("system") else "-")
ax.set_ylabel("12-month turnover (higher is worse)")
percent_axis(ax)
month_axis(ax)
ax.set_title("Turnover and system turnover by sector")
ax.legend(fontsize=8)
plt.show()"""
    ),
    new_markdown_cell("## Turnover by profession (latest month)"),
    new_code_cell(
        """by_profession = q(f'''
    select profession, sector, value from mart_system_kpis
    where period = '{period}' and kpi = 'turnover_rate_12m' and profession <> 'All'
      and sector in ('NHS', 'Adult social care') and value is not null
''').pivot(index="profession", columns="sector", values="value")
ax = by_profession.plot.barh(figsize=(9, 5), title=f"12-month turnover by profession, {period_label}")
ax.set_xlabel("turnover (higher is worse)")
percent_axis(ax, "x")
plt.show()
(by_profession * 100).round(1).add_suffix(" (%)")"""
    ),
    new_markdown_cell(
        "## Vacancies and bank and agency use\n\n"
        "Each sector on its own basis: NHS on FTE, ASC on headcount. Winter peaks in vacancies are expected."
    ),
    new_code_cell(
        """supply = q('''
    select period, sector, kpi, value, basis, orgs_reporting, orgs_expected, is_provisional from mart_system_kpis
    where profession = 'All' and kpi in ('vacancy_rate', 'bank_agency_share')
      and sector in ('NHS', 'Adult social care') and value is not null
    order by period
''')
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
for ax, kpi in zip(axes, ["vacancy_rate", "bank_agency_share"], strict=True):
    for (sector, basis), part in supply[supply.kpi == kpi].groupby(["sector", "basis"]):
        plot_marked(ax, part, f"{sector} ({basis})")
    ax.set_title(kpi.replace("_", " ") + " (higher is worse)")
    percent_axis(ax)
    month_axis(ax)
    ax.legend(fontsize=8)
plt.show()"""
    ),
    new_markdown_cell(
        "## Time to recruit and length of time in role\n\n"
        "NHS median days from approval to start (the NHS target is about 8 weeks, 56 days); median service "
        "in years and the stability index (staff in post a year ago who are still here)."
    ),
    new_code_cell(
        """people = q('''
    select period, sector, kpi, value, orgs_reporting, orgs_expected, is_provisional from mart_system_kpis
    where profession = 'All' and value is not null
      and kpi in ('median_days_to_hire', 'median_service_years', 'stability_index_12m')
      and sector in ('NHS', 'Adult social care')
    order by period
''')
fig, axes = plt.subplots(1, 3, figsize=(13, 3.5))
for ax, kpi in zip(axes, ["median_days_to_hire", "median_service_years", "stability_index_12m"], strict=True):
    for sector, part in people[people.kpi == kpi].groupby("sector"):
        plot_marked(ax, part, sector)
    ax.set_title(kpi.replace("_", " "))
    month_axis(ax)
    ax.legend(fontsize=8)
axes[0].axhline(56, color="grey", linewidth=0.8, linestyle=":")
axes[0].set_ylabel("days (higher is worse)")
axes[1].set_ylabel("years")
percent_axis(axes[2])
fig.tight_layout()
plt.show()"""
    ),
    new_markdown_cell("## Joiners and leavers, and why people leave"),
    new_code_cell(
        """# Sector and System rows (org_code 'ICS') are summed from unsuppressed counts, then suppressed: read
# them, never a sum of suppressed organisation rows. The latest quarter-end, so the VCSE's reasons are in.
leaver_period = q("select max(period) as p from mart_leavers where org_code = 'ICS' and sector = 'VCSE'").p[0]
reasons = q(f'''
    select sector, category as reason, leavers_12m, share_of_leavers, orgs_reporting, orgs_expected
    from mart_leavers
    where org_code = 'ICS' and dimension = 'reason' and profession = 'All' and period = '{leaver_period}'
''')
shares = reasons.pivot(index="reason", columns="sector", values="share_of_leavers")
ax = shares.sort_values("System").plot.barh(
    figsize=(9, 5), title=f"Why people leave the system: the 12 months to {leaver_period:%B %Y}")
ax.set_xlabel("share of the sector's leavers (no bar where suppressed)")
percent_axis(ax, "x")
plt.show()
display(reasons.pivot(index="reason", columns="sector", values="leavers_12m").sort_values("System", ascending=False))
print(reasons.groupby("sector")[["orgs_reporting", "orgs_expected"]].max().to_string())
q(f'''select sector, kpi, value, numerator from mart_system_kpis
      where period = '{period}' and profession = 'All' and kpi in ('joiners_12m', 'leavers_12m')
      order by kpi, sector''')"""
    ),
    new_markdown_cell(
        "## Coverage\n\nHow many expected partners stand behind each sector's turnover figure, month by month. "
        "A dip means returns missing or held back: `mart_return_status` says which and why."
    ),
    new_code_cell(
        """coverage = q('''
    select period, sector, orgs_reporting, orgs_expected,
           orgs_reporting * 1.0 / nullif(orgs_expected, 0) as share_reporting
    from mart_system_kpis
    where kpi = 'turnover_rate_12m' and profession = 'All' and sector <> 'System'
    order by period
''')
fig, ax = plt.subplots(figsize=(9, 3.5))
for sector, part in coverage.groupby("sector"):
    ax.plot(part.period, part.share_reporting, label=sector)
ax.set_title("Share of expected partners reporting (turnover)")
ax.legend(fontsize=8)
ax.set_ylim(0, 1.05)
ax.axhline(LOW_COVERAGE, color="grey", linewidth=0.8, linestyle=":")
percent_axis(ax)
month_axis(ax)
plt.show()
q("select period, source, org_code, org_name, status, reasons from mart_return_status where status <> 'accepted' order by period desc")"""
    ),
    new_markdown_cell(
        "## Where joiners come from\n\nJoiners in the 12 months by origin, for each sector and the System "
        "(`mart_joiners`, `org_code = 'ICS'`: sums over the partners reporting, then suppressed; the VCSE "
        "workbook has no breakdown, so its joiners are `Unknown`)."
    ),
    new_code_cell(
        """origins = q('''
    select sector, category as origin, joiners_12m, share_of_joiners, orgs_reporting, orgs_expected
    from mart_joiners
    where org_code = 'ICS' and dimension = 'origin' and profession = 'All'
      and period = (select max(period) from mart_joiners where org_code = 'ICS')
''')
ax = origins.pivot(index="sector", columns="origin", values="joiners_12m").plot.barh(
    stacked=True, figsize=(9, 3.5), title="Joiners in the 12 months by origin (suppressed values left out)")
ax.set_xlabel("joiners")
plt.show()
origins"""
    ),
    new_markdown_cell(
        "## How people enter and stay\n\nJoiners by route (retire and return, apprentices, international "
        "recruits, other) across the system, and the share of each route's joiners of a year before still in "
        "their organisation and still in the system twelve month-ends after joining (cohort retention needs "
        "two years of returns: NULL before). `orgs_sending_route_columns` says how many partners send the "
        "optional apprentice and international recruit columns: the routes of the others are `Other`."
    ),
    new_code_cell(
        """routes = q('''
    select period, route, joiners_12m, cohort_12m, retention_rate_org_12m, retention_rate_system_12m,
           retire_and_return_12m, orgs_reporting, orgs_sending_route_columns, is_provisional
    from mart_entry_routes
    where org_code = 'ICS' and sector = 'System' and profession = 'All'
    order by period, route
''')
ax = routes[routes.route != "All"].pivot(index="period", columns="route", values="joiners_12m").plot.area(
    figsize=(9, 3.5), title="System joiners in the 12 months to each month, by route")
ax.set_ylabel("joiners (suppressed values left out)")
plt.show()
routes[routes.period == routes.period.max()]"""
    ),
]

CULTURE = [
    new_markdown_cell(
        "# Culture and Inclusion Dashboard\n\n"
        "Staff survey People Promise scores with their year-on-year change and the gaps between groups, the "
        "Workforce Race Equality Standard, workforce disparity ratios, CQC well-led ratings, VCSE pulse "
        "scores and the ICS's trusts against England for sickness.\n\n"
        "**How to read it.** Survey scores run 0-10 (elements and themes) or 0-100 (percentage questions). "
        "A **gap** is White minus Ethnic minority, or No minus Yes disability: for a positive measure a "
        "positive gap means the minority group scores lower. **WRES2** is the relative likelihood of White "
        "applicants being appointed from shortlisting compared with BME applicants: 1.0 is parity, above 1 "
        "favours White applicants. A **disparity ratio** of 1.3 means ethnic-minority (or disabled) staff "
        "leave 30% more often than White (or non-disabled) staff. Groups with fewer than 11 responses are "
        "suppressed (blank, never drawn). The whole system is shown as *Whole system (ICS)*; 0-10 and 0-100 "
        "scores are never drawn on one scale."
    ),
    new_code_cell(SETUP),
    new_markdown_cell("## People Promise: the ICS's scores and their change on the previous year"),
    new_code_cell(
        """promise = q('''
    select year, measure, score, previous_score, change, ics_median
    from mart_culture_dashboard
    where org_code = 'ICS' and group_type = 'All' and measure like 'We %'
    order by measure, year
''')
latest_year = promise.year.max()
latest = promise[promise.year == latest_year].set_index("measure")
ax = latest.score.plot.barh(figsize=(8, 4), xlim=(0, 10), title=f"People Promise, ICS, {latest_year}")
for y, (score, change) in enumerate(zip(latest.score, latest.change, strict=True)):
    if pd.notna(change):
        ax.annotate(f"{change:+.2f}", (score, y), xytext=(4, -3), textcoords="offset points", fontsize=8)
plt.show()
promise"""
    ),
    new_markdown_cell(
        "## Gaps between groups\n\nWhite minus Ethnic minority and No minus Yes disability, per trust and measure."
    ),
    new_code_cell(
        """gaps = q('''
    select year, org_code, measure, group_value as gap, score
    from mart_culture_dashboard
    where group_type = 'Gap' and score is not null
    order by year, org_code, measure
''')
import textwrap

# A measure scored 0-100 (a percentage question) and one scored 0-10 (a theme) each get their own colour scale.
hundred = set(q("select measure from mart_culture_dashboard where group_type = 'All' group by measure having max(abs(score)) > 10").measure)
recent = gaps[gaps.year == gaps.year.max()].assign(
    organisation=lambda d: d.org_code.map(lambda c: "Whole system (ICS)" if c == "ICS" else names.get(c, c)))
fig, axes = plt.subplots(2, 1, figsize=(11, 9), gridspec_kw={"height_ratios": [3, 1]})
tables = {}
for ax, (scale, part) in zip(axes, [("0-10", recent[~recent.measure.isin(hundred)]), ("0-100", recent[recent.measure.isin(hundred)])], strict=True):
    table = part.pivot_table(index="measure", columns=["organisation", "gap"], values="score")
    tables[scale] = table
    if table.empty:
        ax.set_axis_off()
        continue
    limit = abs(table.values[~pd.isna(table.values)]).max()
    image = ax.imshow(table.values, cmap="RdBu", aspect="auto", vmin=-limit, vmax=limit)
    ax.set_yticks(range(len(table.index)), table.index, fontsize=7)
    ax.set_xticks(range(len(table.columns)), [textwrap.fill(f"{o}: {g}", 22) for o, g in table.columns], fontsize=6,
                  rotation=30, ha="right")
    fig.colorbar(image, ax=ax, label=f"gap (points on the {scale} scale)")
    ax.set_title(f"Group gaps, {scale} scores, {gaps.year.max()}")
fig.tight_layout()
plt.show()
tables["0-10"].round(2)"""
    ),
    new_markdown_cell("## Workforce Race Equality Standard: WRES2 and WRES3 relative likelihoods"),
    new_code_cell(
        """wres = q('''
    select year, org_code, org_name, measure, score from mart_culture_dashboard
    where measure in ('WRES2 relative likelihood', 'WRES3 relative likelihood')
    order by measure, org_code, year
''')
wres["organisation"] = [textwrap.fill(names.get(c, n or c), 24) for c, n in zip(wres.org_code, wres.org_name, strict=True)]
ax = wres.pivot_table(index=["organisation", "year"], columns="measure", values="score").plot.bar(
    figsize=(10, 4.5), title="WRES relative likelihoods (1.0 = parity; above 1 is worse for BME staff)")
ax.axhline(1.0, color="grey", linewidth=0.8)
ax.set_xticklabels([f"{o} {y}" for o, y in wres.pivot_table(index=["organisation", "year"], values="score").index], rotation=30, ha="right", fontsize=7)
plt.show()
wres"""
    ),
    new_markdown_cell(
        "## Workforce disparity ratios (at December)\n\nTurnover and early-leaver rates of ethnic-minority staff "
        "over White staff, and of disabled over non-disabled staff; blank where a group is too small."
    ),
    new_code_cell(
        """q('''
    select year, org_code, org_name, measure, score as ratio, is_suppressed
    from mart_culture_dashboard
    where measure like '%disparity%' and (org_code = 'ICS' or score is not null)
    order by measure, org_code
''')"""
    ),
    new_markdown_cell("## CQC well-led: share of rated locations Good or Outstanding, by sector"),
    new_code_cell(
        """well_led = q('''
    select year, measure, score from mart_culture_dashboard
    where measure like 'CQC well-led%' order by year
''')
ax = well_led.pivot(index="year", columns="measure", values="score").plot.bar(
    figsize=(8, 3.5), ylim=(0, 1), title="CQC well-led Good or Outstanding share", rot=0)
percent_axis(ax)
plt.show()
well_led"""
    ),
    new_markdown_cell("## VCSE pulse scores (0-10) where organisations returned them"),
    new_code_cell(
        """q('''
    select year, measure, count(score) as organisations, round(avg(score), 2) as mean_score,
           round(min(score), 2) as lowest, round(max(score), 2) as highest
    from mart_culture_dashboard where measure like 'VCSE pulse%'
    group by year, measure order by measure, year
''')"""
    ),
    new_markdown_cell(
        "## Sickness: the ICS's trusts against England\n\n"
        "Monthly sickness absence from NHS England's published file, recomputed from days lost over days "
        "available; England and the trusts' organisation types as sums over sums. `ics_derived_rate` is the "
        "same month from the trusts' own provider workforce returns."
    ),
    new_code_cell(
        """sickness = q('''
    select period, org_code, org_type, sickness_rate, org_type_rate, england_rate,
           percentile_in_org_type, ics_derived_rate
    from mart_sickness_benchmark
    where is_ics_partner and org_type <> 'Integrated Care Board'
    order by period, org_code
''')
fig, ax = plt.subplots(figsize=(9, 4))
for org, part in sickness.groupby("org_code"):
    ax.plot(part.period, part.sickness_rate, marker="o", label=names.get(org, org))
england = sickness.drop_duplicates("period")
ax.plot(england.period, england.england_rate, color="black", linestyle="--", label="England")
ax.set_ylabel("sickness rate (higher is worse)")
percent_axis(ax)
month_axis(ax)
ax.set_title("ICS trusts against England")
ax.legend(fontsize=8)
plt.show()
rates = ["sickness_rate", "org_type_rate", "england_rate", "percentile_in_org_type", "ics_derived_rate"]
sickness.assign(organisation=sickness.org_code.map(names), **{c: (sickness[c] * 100).round(1) for c in rates}).rename(
    columns={c: f"{c} (%)" for c in rates}).drop(columns="org_code")"""
    ),
]


# Where the demand is (issue #22): the heat table, the top ten with their trend, and a map where the user has
# put local-authority boundaries in <landing>/boundaries/*.geojson (nothing is downloaded).
DEMAND = [
    new_markdown_cell(
        "# Where the demand is: which jobs are most in demand, and where\n\n"
        "Vacancy rates by ICS **place** and **job role** from `mart_vacancy_demand`: NHS England main staff "
        "groups for NHS trusts (vacancy FTE over vacancy plus substantive FTE), ASC-WDS main job roles for "
        "adult social care and role categories for the VCSE (vacant posts over vacant posts plus staff in "
        "post). **Sectors are never mixed**: each has its own table and its own ranks. `demand_rank` 1 is the "
        "highest published rate among the job roles of a place and sector. A cell shows **suppressed** when "
        "disclosure control hid it (1 to 4 posts or people), and is blank when the place has no such staff; "
        "neither is zero."
    ),
    new_code_cell(SETUP),
    new_markdown_cell("## Heat table: vacancy rate (%) by place and job role, latest month of each sector"),
    new_code_cell(
        """from IPython.display import display


def percent(rate, suppressed) -> str:
    if rate is None or pd.isna(rate):
        return "suppressed" if suppressed else ""
    return f"{100 * rate:.1f} %"


demand = q("select * from mart_vacancy_demand")
for sector, rows in demand.groupby("sector"):
    latest = rows[rows.period == rows.period.max()]
    heat = latest.assign(cell=[percent(r, s) for r, s in zip(latest.vacancy_rate, latest.is_suppressed)])
    table = heat.pivot(index="job_role", columns="place", values="cell").fillna("")
    print(f"{sector}, {latest.period.max():%Y-%m}, basis {latest.vacancy_basis.iloc[0]}")
    display(table)"""
    ),
    new_markdown_cell(
        "## The ten most in demand, with their trend\n\n"
        "The ten highest published vacancy rates of the latest month across places (the ICS rows left out), "
        "with the rate a year before and the change in percentage points; below, each one's monthly rate."
    ),
    new_code_cell(
        """top = q('''
    select period, place, sector, job_role, profession, round(100 * vacancy_rate, 1) as vacancy_rate_pct,
           round(100 * vacancy_rate_12m_ago, 1) as rate_12m_ago_pct, round(100 * change_12m, 1) as change_pp,
           demand_rank, vacancies, vacancy_basis, median_days_to_hire
    from mart_vacancy_demand
    where place <> 'ICS' and vacancy_rate is not null
      and period = (select max(period) from mart_vacancy_demand where sector <> 'VCSE')
    order by vacancy_rate desc, place, sector, job_role
    limit 10
''')
trend = demand.merge(top[["place", "sector", "job_role"]], on=["place", "sector", "job_role"])
fig, ax = plt.subplots(figsize=(9, 4.5))
for (place, sector, job_role), rows in trend.groupby(["place", "sector", "job_role"]):
    rows = rows.sort_values("period")
    ax.plot(rows.period, 100 * rows.vacancy_rate, marker=".", label=f"{job_role} ({place}, {sector})")
ax.set_ylabel("vacancy rate (%)")
ax.set_title("The ten most in demand: monthly vacancy rate")
ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
fig.autofmt_xdate()
plt.show()
top"""
    ),
    new_markdown_cell(
        "## Map of vacancy rate by place\n\n"
        "Drawn only where you have put local-authority boundaries as GeoJSON in the landing folder, "
        "`<landing>/boundaries/<name>.geojson` (for example your local authorities' ONS boundaries, saved "
        "there by hand: nothing is downloaded). A feature is matched to a place when one of its properties "
        "is a `local_authority_code` of the partner register. It maps the job role most in demand in the "
        "ICS (the first sector's rank 1); set `SECTOR` and `JOB_ROLE` to map another."
    ),
    new_code_cell(
        """import json

from matplotlib.patches import Polygon

LANDING = Path(os.environ.get("WF_LANDING_DIR", Path.cwd().parent / "seeds" / "returns"))
boundaries = sorted((LANDING / "boundaries").glob("*.geojson"))
latest = demand[demand.period == demand[demand.sector != "VCSE"].period.max()]
first = latest[(latest.place == "ICS") & (latest.demand_rank == 1)].sort_values("sector").iloc[0]
SECTOR, JOB_ROLE = first.sector, first.job_role
if not boundaries:
    print(f"No boundaries in {LANDING / 'boundaries'}: the heat table above is the view by place.")
else:
    place_of = dict(
        q("select distinct local_authority_code, place from dim_organisation where local_authority_code is not null")
        .values
    )
    cells = latest[(latest.sector == SECTOR) & (latest.job_role == JOB_ROLE)].set_index("place")
    rates = cells.vacancy_rate.dropna()
    norm = plt.Normalize(0, max(rates.max(), 0.01) if len(rates) else 1)
    fig, ax = plt.subplots(figsize=(7, 7))
    labels = []
    for path in boundaries:
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            place = next((place_of[v] for v in feature.get("properties", {}).values() if v in place_of), None)
            geometry = feature["geometry"]
            polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            row = cells.loc[place] if place in cells.index else None
            if row is None:
                colour, label = "white", f"{place or 'not a register place'}: no data"
            elif pd.isna(row.vacancy_rate):
                colour, label = "lightgrey", f"{place}: suppressed"
            else:
                colour, label = plt.cm.viridis(norm(row.vacancy_rate)), f"{place}: {100 * row.vacancy_rate:.1f} %"
            for polygon in polygons:  # the outer ring of each; holes are not drawn
                ax.add_patch(Polygon(polygon[0], closed=True, facecolor=colour, edgecolor="black", linewidth=0.5))
            x, y = zip(*polygons[0][0])
            ax.annotate(label, (sum(x) / len(x), sum(y) / len(y)), ha="center", fontsize=8)
            labels.append(label)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap="viridis"), ax=ax, label="vacancy rate")
    ax.set_title(f"{JOB_ROLE} ({SECTOR}): vacancy rate by place")
    plt.show()
    print("Mapped:", "; ".join(labels))"""
    ),
]


# Who the workforce is (mart_workforce_profile, mart_representation): appended to the dashboard.
CULTURE += [
    new_markdown_cell(
        "## Who the workforce is: staff in post by age and ethnic group\n\n"
        "`mart_workforce_profile` at the latest month, whole system (`org_code = 'ICS'`): each person once, "
        "under their main assignment. `share_aged_55_plus` is the retirement-risk figure. The VCSE sends "
        "totals only, so the System's categories are NHS and adult social care. Blank = suppressed."
    ),
    new_code_cell(
        """profile = q('''
    select sector, dimension, category, headcount, share, share_aged_55_plus
    from mart_workforce_profile
    where period = (select max(period) from mart_workforce_profile) and org_code = 'ICS'
      and profession = 'All' and pay_band_group = 'All'
    order by sector, dimension, category
''')
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, dimension in zip(axes, ("age_band", "ethnic_group"), strict=True):
    part = profile[(profile.dimension == dimension) & (profile.sector != "System")]
    part.pivot(index="category", columns="sector", values="share").plot.bar(ax=ax, title=dimension)
    ax.set_ylabel("share of staff in post")
plt.tight_layout()
plt.show()
profile[profile.dimension == "All"][["sector", "headcount", "share_aged_55_plus"]]"""
    ),
    new_markdown_cell(
        "## Ethnic minority staff band by band (WRES indicator 1), every sector\n\n"
        "The share of staff with ethnicity stated who are from an ethnic minority, per pay band group. NHS "
        "bands are Agenda for Change groups; adult social care has no bands (`All`); the VCSE workbook has no "
        "ethnicity, so its row is empty. Sums of published cells: a group with a suppressed cell is left blank."
    ),
    new_code_cell(
        """bands = q('''
    select sector, pay_band_group,
           sum(headcount) filter (where category in ('Mixed', 'Asian', 'Black', 'Other')) as ethnic_minority,
           sum(headcount) filter (where category <> 'Not stated') as stated,
           count(*) filter (where headcount is null) as suppressed_cells
    from mart_workforce_profile
    where period = (select max(period) from mart_workforce_profile) and org_code = 'ICS'
      and profession = 'All' and dimension = 'ethnic_group' and sector <> 'System'
    group by sector, pay_band_group
    union all
    select 'VCSE', 'All', null, null, 0
    order by sector, pay_band_group
''')
bands["ethnic_minority_share"] = bands.ethnic_minority / bands.stated
bands.loc[bands.suppressed_cells > 0, "ethnic_minority_share"] = None
ax = bands.pivot(index="pay_band_group", columns="sector", values="ethnic_minority_share").plot.bar(
    figsize=(9, 4), title="Ethnic minority share of staff in post, by pay band group")
ax.set_ylabel("share")
plt.show()
bands"""
    ),
    new_markdown_cell(
        "## Does the workforce look like its community?\n\n"
        "`mart_representation`: each group's share of staff in post (ethnicity stated) over its share of the "
        "usual residents of the place's local authorities (Census 2021 TS021). 1.0 means the workforce looks "
        "like its community; below 1 the group is under-represented. The demo's population file is simulated."
    ),
    new_code_cell(
        """representation = q('''
    select place, sector, ethnic_group, workforce_share, population_share, representation_ratio
    from mart_representation
    where period = (select max(period) from mart_representation)
    order by place, sector, ethnic_group
''')
minority = representation[representation.ethnic_group == "Ethnic minority"]
ax = minority.pivot(index="place", columns="sector", values="representation_ratio").plot.bar(
    figsize=(9, 4), title="Ethnic minority representation ratio by place")
ax.axhline(1.0, color="grey", linewidth=0.8)
plt.show()
representation"""
    ),
]


def write(name: str, cells: list) -> Path:
    notebook = new_notebook(cells=cells)
    for index, cell in enumerate(notebook.cells):  # stable ids: a rebuild changes only the cells that changed
        cell["id"] = f"{Path(name).stem}-{index}"
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = HERE / name
    nbformat.write(notebook, path)
    return path


def main() -> None:
    for name, cells in (("seven_kpi_scorecard.ipynb", SCORECARD), ("culture_dashboard.ipynb", CULTURE)):
        print(write(name, cells))
    print(write("vacancy_demand.ipynb", DEMAND))


if __name__ == "__main__":
    main()
