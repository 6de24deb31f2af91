-- Coverage of each system KPI per month, sector and register partner: whether the partner is expected
-- (active at the month-end, and its expected_returns include every source the KPI uses in its sector)
-- and whether it is reporting (expected, with complete accepted returns of every source for every month
-- the KPI needs: the month itself, or M-12 .. M for 12-month figures; VCSE at quarter-ends only, the
-- five quarter-ends M-12 .. M). Reporting partners are the ones whose figures enter sector values.
with organisations as (
    select * from {{ ref('int_organisations_mapped') }}
    where org_code = reporting_org_code
),

months as (
    select * from {{ ref('int_months') }}
),

completeness as (
    select * from {{ ref('int_return_completeness') }}
    where is_complete
),

-- (sector, kpi, source, months back): the returns each KPI needs.
kpi_sources as (
    {%- set rows = [] -%}
    {%- set person_12m = {
        'joiners_12m': {'NHS': ['nhs_esr_staff'], 'Adult social care': ['asc_wds_workers'], 'VCSE': ['vcse_returns']},
        'leavers_12m': {'NHS': ['nhs_esr_staff', 'nhs_esr_leavers'], 'Adult social care': ['asc_wds_workers'],
            'VCSE': ['vcse_returns']},
        'turnover_rate_12m': {'NHS': ['nhs_esr_staff', 'nhs_esr_leavers'], 'Adult social care': ['asc_wds_workers'],
            'VCSE': ['vcse_returns']},
        'system_turnover_rate_12m': {'NHS': ['nhs_esr_staff', 'nhs_esr_leavers'],
            'Adult social care': ['asc_wds_workers']},
        'early_leaver_share_12m': {'NHS': ['nhs_esr_staff', 'nhs_esr_leavers'], 'Adult social care': ['asc_wds_workers'],
            'VCSE': ['vcse_returns']},
        'stability_index_12m': {'NHS': ['nhs_esr_staff'], 'Adult social care': ['asc_wds_workers']},
    } -%}
    {%- set point = {
        'median_service_years': {'NHS': ['nhs_esr_staff'], 'Adult social care': ['asc_wds_workers']},
        'median_days_to_hire': {'NHS': ['nhs_recruitment']},
        'mean_days_to_fill': {'VCSE': ['vcse_returns']},
        'vacancy_rate': {'NHS': ['nhs_pwr'], 'Adult social care': ['asc_wds_workers', 'asc_wds_establishments'],
            'VCSE': ['vcse_returns']},
        'bank_agency_share': {'NHS': ['nhs_pwr'], 'Adult social care': ['asc_wds_workers'], 'VCSE': ['vcse_returns']},
        'sickness_rate': {'NHS': ['nhs_pwr']},
        'avg_sick_days_12m': {'Adult social care': ['asc_wds_workers']},
    } -%}
    {%- for kpi, by_sector in person_12m.items() -%}
        {%- for sector, sources in by_sector.items() -%}
            {%- for source_name in sources -%}
                {%- do rows.append((sector, kpi, source_name, 12)) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for kpi, by_sector in point.items() -%}
        {%- for sector, sources in by_sector.items() -%}
            {%- for source_name in sources -%}
                {%- do rows.append((sector, kpi, source_name, 0)) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for row in rows %}
        select
            '{{ row[0] }}' as sector,
            '{{ row[1] }}' as kpi,
            '{{ row[2] }}' as source_name,
            {{ row[3] }} as months_back
        {%- if not loop.last %}
            union all
        {%- endif -%}
    {%- endfor %}
),

kpis as (
    select
        sector,
        kpi,
        max(months_back) as months_back,
        count(*) as sources
    from kpi_sources
    group by sector, kpi
),

partner_months as (
    select
        months.period,
        organisations.sector,
        organisations.org_code,
        organisations.expected_returns
    from organisations
    cross join months
    where
        (organisations.start_date is null or organisations.start_date <= months.period)
        and (
            organisations.end_date is null
            or organisations.end_date >= {{ dbt.date_trunc('month', 'months.period') }}
        )
        and (organisations.sector <> 'VCSE' or extract(month from months.period) in (3, 6, 9, 12))
),

expected_sources as (
    select
        partner_months.period,
        partner_months.sector,
        partner_months.org_code,
        kpi_sources.kpi,
        kpi_sources.source_name,
        kpi_sources.months_back
    from partner_months
    inner join kpi_sources
        on
            partner_months.sector = kpi_sources.sector
            and {{ dbt.concat(["';'", "replace(partner_months.expected_returns, ' ', '')", "';'"]) }}
            like {{ dbt.concat(["'%;'", "kpi_sources.source_name", "';%'"]) }}
),

complete_months as (
    select
        expected_sources.period,
        expected_sources.org_code,
        expected_sources.kpi,
        count(distinct expected_sources.source_name) as expected_sources,
        count(completeness.period) as complete_source_months
    from expected_sources
    left join completeness
        on
            expected_sources.org_code = completeness.reporting_org_code
            and expected_sources.source_name = completeness.source_name
            and expected_sources.period >= completeness.period
            and completeness.period >= {{ add_months('expected_sources.period', '-expected_sources.months_back') }}
    group by expected_sources.period, expected_sources.org_code, expected_sources.kpi
)

select
    partner_months.period,
    partner_months.sector,
    partner_months.org_code,
    kpis.kpi,
    coalesce(complete_months.expected_sources, 0) = kpis.sources as is_expected,
    coalesce(complete_months.expected_sources, 0) = kpis.sources
    and complete_months.complete_source_months
    = kpis.sources * (case when partner_months.sector = 'VCSE' then kpis.months_back / 3 else kpis.months_back end + 1)
        as is_reporting
from partner_months
inner join kpis on partner_months.sector = kpis.sector
left join complete_months
    on
        partner_months.period = complete_months.period
        and partner_months.org_code = complete_months.org_code
        and kpis.kpi = complete_months.kpi
