"""Writes the two analyst notebooks from the cells below (run: python notebooks/build_notebooks.py).

Kept as code so a change to a notebook is reviewed as a diff of text, not of JSON."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """import os
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import pandas as pd

# Text from partners' returns (organisation names, reasons) is shown, never run: pandas escapes HTML in its
# tables; MathJax must not read a '$' in that text as mathematics (it can build links), nor matplotlib in labels.
pd.set_option("display.html.use_mathjax", False)
plt.rcParams["text.parse_math"] = False

# The published file, read-only: the refresh swaps it atomically, so a query sees one complete version.
MARTS = Path(os.environ.get("WF_MARTS", Path.cwd().parent / "warehouse" / "marts.duckdb"))
con = duckdb.connect(str(MARTS), read_only=True)


def q(sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


refresh = q("select refresh_id, finished, returns_used, returns_quarantined from refresh_log")
refresh"""

SCORECARD = [
    new_markdown_cell(
        "# The seven system KPIs: scorecard\n\n"
        "The ICS People and Culture Board's seven workforce KPIs for NHS trusts, adult social care (ASC) "
        "providers and VCSE organisations, from the published marts (`WF_MARTS`).\n\n"
        "**How to read it.** Every rate is a fraction (0.10 = 10 %) over its own **basis**: NHS vacancy and "
        "bank and agency figures are on FTE, ASC and VCSE on headcount. A sector value is the sum of the "
        "reporting partners' numerators over the sum of their denominators, never an average of rates; the "
        "`System` value is shown only where every sector uses the same basis (otherwise it is blank and "
        "`basis = mixed`). **Coverage** (`orgs_reporting` of `orgs_expected`) says how many partners a figure "
        "stands on. Counts of 1 to 4 people are suppressed (blank). 12-month figures need a complete year of "
        "returns; `is_provisional` marks turnover whose internal moves may still change as later months land."
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
print(f"Latest complete month: {period}")
scorecard"""
    ),
    new_markdown_cell(
        "## Turnover over time, by sector\n\n"
        "Solid lines: all leavers. Dashed: **system turnover**, leavers who did not move to another partner "
        "(a move inside the ICS is a transfer kept in the system, not a loss). The gap between the two is "
        "the internal moves only this warehouse can see."
    ),
    new_code_cell(
        """trend = q('''
    select period, sector, kpi, value from mart_system_kpis
    where profession = 'All' and kpi in ('turnover_rate_12m', 'system_turnover_rate_12m')
      and sector in ('NHS', 'Adult social care', 'System') and value is not null
    order by period
''')
fig, ax = plt.subplots(figsize=(9, 4))
for (sector, kpi), part in trend.groupby(["sector", "kpi"]):
    ax.plot(part.period, part.value, linestyle="--" if kpi.startswith("system") else "-",
            label=f"{sector}: {'system ' if kpi.startswith('system') else ''}turnover")
ax.set_ylabel("12-month turnover (fraction)")
ax.set_title("Turnover and system turnover by sector")
ax.legend(fontsize=8)
fig.autofmt_xdate()
plt.show()"""
    ),
    new_markdown_cell("## Turnover by profession (latest month)"),
    new_code_cell(
        """by_profession = q(f'''
    select profession, sector, value from mart_system_kpis
    where period = '{period}' and kpi = 'turnover_rate_12m' and profession <> 'All'
      and sector in ('NHS', 'Adult social care') and value is not null
''').pivot(index="profession", columns="sector", values="value")
ax = by_profession.plot.barh(figsize=(9, 5), title=f"12-month turnover by profession, {period}")
ax.set_xlabel("turnover (fraction)")
plt.show()
by_profession"""
    ),
    new_markdown_cell(
        "## Vacancies and bank and agency use\n\n"
        "Each sector on its own basis: NHS on FTE, ASC on headcount. Winter peaks in vacancies are expected."
    ),
    new_code_cell(
        """supply = q('''
    select period, sector, kpi, value, basis from mart_system_kpis
    where profession = 'All' and kpi in ('vacancy_rate', 'bank_agency_share')
      and sector in ('NHS', 'Adult social care') and value is not null
    order by period
''')
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
for ax, kpi in zip(axes, ["vacancy_rate", "bank_agency_share"], strict=True):
    for (sector, basis), part in supply[supply.kpi == kpi].groupby(["sector", "basis"]):
        ax.plot(part.period, part.value, label=f"{sector} ({basis})")
    ax.set_title(kpi.replace("_", " "))
    ax.legend(fontsize=8)
fig.autofmt_xdate()
plt.show()"""
    ),
    new_markdown_cell(
        "## Time to recruit and length of time in role\n\n"
        "NHS median days from approval to start (the NHS target is about 8 weeks, 56 days); median service "
        "in years and the stability index (staff in post a year ago who are still here)."
    ),
    new_code_cell(
        """people = q('''
    select period, sector, kpi, value from mart_system_kpis
    where profession = 'All' and value is not null
      and kpi in ('median_days_to_hire', 'median_service_years', 'stability_index_12m')
      and sector in ('NHS', 'Adult social care')
    order by period
''')
fig, axes = plt.subplots(1, 3, figsize=(13, 3.5))
for ax, kpi in zip(axes, ["median_days_to_hire", "median_service_years", "stability_index_12m"], strict=True):
    for sector, part in people[people.kpi == kpi].groupby("sector"):
        ax.plot(part.period, part.value, label=sector)
    ax.set_title(kpi.replace("_", " "))
    ax.legend(fontsize=8)
axes[0].axhline(56, color="grey", linewidth=0.8, linestyle=":")
fig.autofmt_xdate()
plt.show()"""
    ),
    new_markdown_cell("## Joiners and leavers, and why people leave"),
    new_code_cell(
        """reasons = q(f'''
    select sector, category as reason, sum(leavers_12m) as leavers
    from mart_leavers
    where dimension = 'reason' and profession = 'All' and period = '{period}'
    group by sector, category
''').pivot(index="reason", columns="sector", values="leavers").fillna(0)
ax = reasons.sort_values(reasons.columns[0]).plot.barh(figsize=(9, 5), title=f"Leavers in the 12 months to {period}, by reason")
ax.set_xlabel("leavers (published organisation values; counts under 5 suppressed)")
plt.show()
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
ax = coverage.pivot(index="period", columns="sector", values="share_reporting").plot(
    figsize=(9, 3.5), title="Share of expected partners reporting (turnover)")
ax.set_ylim(0, 1.05)
plt.show()
q("select period, source, org_code, org_name, status, reasons from mart_return_status where status <> 'accepted' order by period desc")"""
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
        "leave 30 % more often than White (or non-disabled) staff. Groups with fewer than 11 responses are "
        "suppressed (blank). `org_code = 'ICS'` rows are the whole system."
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
recent = gaps[gaps.year == gaps.year.max()]
table = recent.pivot_table(index="measure", columns=["org_code", "gap"], values="score")
fig, ax = plt.subplots(figsize=(10, 5))
image = ax.imshow(table.values, cmap="RdBu", aspect="auto", vmin=-abs(table.values).max(), vmax=abs(table.values).max())
ax.set_yticks(range(len(table.index)), table.index, fontsize=7)
ax.set_xticks(range(len(table.columns)), [f"{o}\\n{g}" for o, g in table.columns], fontsize=7, rotation=45)
fig.colorbar(image, label="gap (points)")
ax.set_title(f"Group gaps, {gaps.year.max()}")
plt.show()
table.round(2)"""
    ),
    new_markdown_cell("## Workforce Race Equality Standard: WRES2 and WRES3 relative likelihoods"),
    new_code_cell(
        """wres = q('''
    select year, org_code, org_name, measure, score from mart_culture_dashboard
    where measure in ('WRES2 relative likelihood', 'WRES3 relative likelihood')
    order by measure, org_code, year
''')
ax = wres.pivot_table(index=["org_code", "year"], columns="measure", values="score").plot.bar(
    figsize=(9, 4), title="WRES relative likelihoods (1.0 = parity)")
ax.axhline(1.0, color="grey", linewidth=0.8)
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
    figsize=(8, 3.5), ylim=(0, 1), title="CQC well-led Good or Outstanding share")
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
    ax.plot(part.period, part.sickness_rate, marker="o", label=f"{org} (published)")
england = sickness.drop_duplicates("period")
ax.plot(england.period, england.england_rate, color="black", linestyle="--", label="England")
ax.set_ylabel("sickness rate (fraction)")
ax.set_title("ICS trusts against England")
ax.legend(fontsize=8)
fig.autofmt_xdate()
plt.show()
sickness"""
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
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = HERE / name
    nbformat.write(notebook, path)
    return path


def main() -> None:
    for name, cells in (("seven_kpi_scorecard.ipynb", SCORECARD), ("culture_dashboard.ipynb", CULTURE)):
        print(write(name, cells))


if __name__ == "__main__":
    main()
