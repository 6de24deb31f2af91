-- Coverage of each system KPI per month, sector and register partner: whether the partner is expected
-- (active at the month-end, and its expected_returns include every source the KPI uses in its sector)
-- and whether it is reporting (expected, with complete accepted returns of every source for every month
-- the KPI needs: the month itself, or M-12 .. M for 12-month figures; VCSE at quarter-ends only, the
-- five quarter-ends M-12 .. M). Reporting partners are the ones whose figures enter sector values. The
-- KPIs, their sources and months back come from the registry (int_kpi_registry), the window rule from
-- int_return_windows.
with organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

months as (
    select * from {{ ref('int_months') }}
),

windows as (
    select * from {{ ref('int_return_windows') }}
),

registry as (
    select * from {{ ref('int_kpi_registry') }}
    where sector <> 'System'
),

return_sources as (
    select * from {{ ref('return_sources') }}
),

-- (sector, kpi, source, months back): the returns each KPI needs, from the KPI registry.
kpi_sources as (
    select
        registry.sector,
        registry.kpi,
        return_sources.source_name,
        registry.window_months as months_back
    from registry
    inner join return_sources
        on
            registry.sector = return_sources.sector
            and {{ names_source('registry.return_sources', 'return_sources.source_name') }}
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
            and {{ names_source("replace(partner_months.expected_returns, ' ', '')", 'kpi_sources.source_name') }}
),

complete_months as (
    select
        expected_sources.period,
        expected_sources.org_code,
        expected_sources.kpi,
        count(distinct expected_sources.source_name) as expected_sources,
        sum(
            case
                when expected_sources.months_back = 0 and windows.is_complete then 1
                when expected_sources.months_back > 0 and windows.is_window_complete then 1
                else 0
            end
        ) as complete_sources
    from expected_sources
    left join windows using (org_code, source_name, period)
    group by expected_sources.period, expected_sources.org_code, expected_sources.kpi
)

select
    partner_months.period,
    partner_months.sector,
    partner_months.org_code,
    kpis.kpi,
    coalesce(complete_months.expected_sources, 0) = kpis.sources as is_expected,
    coalesce(complete_months.expected_sources, 0) = kpis.sources
    and complete_months.complete_sources = kpis.sources as is_reporting
from partner_months
inner join kpis on partner_months.sector = kpis.sector
left join complete_months
    on
        partner_months.period = complete_months.period
        and partner_months.org_code = complete_months.org_code
        and kpis.kpi = complete_months.kpi
