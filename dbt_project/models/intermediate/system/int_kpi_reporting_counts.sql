-- How many register partners are expected to report each system KPI and how many are reporting, per
-- month and sector, System included (the sum over the sectors): the orgs_reporting / orgs_expected of the
-- published KPIs, from int_system_kpi_coverage.
with coverage as (
    select * from {{ ref('int_system_kpi_coverage') }}
),

sector_coverage as (
    select
        period,
        sector,
        kpi,
        sum(case when is_expected then 1 else 0 end) as orgs_expected,
        sum(case when is_reporting then 1 else 0 end) as orgs_reporting
    from coverage
    group by period, sector, kpi
)

select * from sector_coverage
union all
select
    period,
    'System' as sector,
    kpi,
    sum(orgs_expected) as orgs_expected,
    sum(orgs_reporting) as orgs_reporting
from sector_coverage
group by period, kpi
