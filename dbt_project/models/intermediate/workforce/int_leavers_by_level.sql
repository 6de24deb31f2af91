-- Leavers in the 12 months to period by dimension and category at every level (metrics.md "Leaver
-- data"), UNSUPPRESSED: organisation rows (NHS and ASC from int_leaver_counts, VCSE reasons from
-- int_vcse_leaver_reasons), sector rows (org_code 'ICS', sector NHS / Adult social care / VCSE) summing the
-- organisations that report the leavers_12m KPI (int_system_kpi_parts: the window rule and the register's
-- expected partners, the same partners as mart_system_kpis' leavers_12m), and System rows (org_code 'ICS',
-- sector 'System') summing the sectors that collect the dimension. total_leavers_12m is the sum of the
-- dimension's categories in the row's grain (the leavers those sectors explain), the share denominator.
-- Sector and System rows carry orgs_reporting / orgs_expected of the sectors that collect the dimension
-- (int_kpi_reporting_counts) and is_provisional (a partner summed has a leaver still waiting for its
-- internal-move test: mart_system_kpis' leavers_12m flag); organisation rows have NULL coverage.
-- mart_leavers adds disclosure control.
with org_counts as (
    select * from {{ ref('int_leaver_counts') }}
    union all
    select * from {{ ref('int_vcse_leaver_reasons') }}
),

-- The partners whose leavers enter sector values, per profession, with their provisional flag.
contributors as (
    select
        period,
        sector,
        org_code,
        profession,
        is_provisional
    from {{ ref('int_system_kpi_parts') }}
    where kpi = 'leavers_12m'
),

reporting_counts as (
    select * from {{ ref('int_kpi_reporting_counts') }}
    where kpi = 'leavers_12m' and sector <> 'System'
),

-- Which sectors collect each dimension; the VCSE gives reasons for all its leavers only ('All').
collecting_sectors as (
    select
        'reason' as dimension,
        'NHS' as sector,
        false as all_only
    union all
    select
        'reason' as dimension,
        'Adult social care' as sector,
        false as all_only
    union all
    select
        'reason' as dimension,
        'VCSE' as sector,
        true as all_only
    union all
    select
        'destination' as dimension,
        'NHS' as sector,
        false as all_only
    union all
    select
        'disability' as dimension,
        'NHS' as sector,
        false as all_only
    union all
    select
        'age_band' as dimension,
        'NHS' as sector,
        false as all_only
    union all
    select
        'age_band' as dimension,
        'Adult social care' as sector,
        false as all_only
    union all
    select
        'ethnic_group' as dimension,
        'NHS' as sector,
        false as all_only
    union all
    select
        'ethnic_group' as dimension,
        'Adult social care' as sector,
        false as all_only
    union all
    select
        'service_band' as dimension,
        'NHS' as sector,
        false as all_only
    union all
    select
        'service_band' as dimension,
        'Adult social care' as sector,
        false as all_only
),

org_rows as (
    select
        org_counts.period,
        org_counts.sector,
        org_counts.org_code,
        org_counts.profession,
        org_counts.dimension,
        org_counts.category,
        org_counts.leavers_12m,
        contributors.org_code is not null as is_reporting,
        coalesce(contributors.is_provisional, false) as is_provisional
    from org_counts
    left join contributors using (period, sector, org_code, profession)
),

sector_rows as (
    select
        period,
        sector,
        profession,
        dimension,
        category,
        sum(leavers_12m) as leavers_12m
    from org_rows
    where is_reporting
    group by period, sector, profession, dimension, category
),

-- A sector value is provisional when a partner it sums is (mart_system_kpis' leavers_12m, the same flag).
sector_provisional as (
    select
        period,
        sector,
        profession,
        max(case when is_provisional then 1 else 0 end) = 1 as is_provisional
    from contributors
    group by period, sector, profession
),

system_rows as (
    select
        period,
        profession,
        dimension,
        category,
        sum(leavers_12m) as leavers_12m
    from sector_rows
    group by period, profession, dimension, category
),

system_provisional as (
    select
        period,
        profession,
        max(case when is_provisional then 1 else 0 end) = 1 as is_provisional
    from sector_provisional
    group by period, profession
),

-- A System row's scope: 'All' (every collecting sector) or a profession (the sectors giving professions).
scopes as (
    select true as is_all
    union all
    select false as is_all
),

-- Coverage of a System row: the partners of the sectors collecting its dimension in its scope.
system_coverage as (
    select
        reporting_counts.period,
        collecting_sectors.dimension,
        scopes.is_all,
        sum(reporting_counts.orgs_reporting) as orgs_reporting,
        sum(reporting_counts.orgs_expected) as orgs_expected
    from reporting_counts
    inner join collecting_sectors on reporting_counts.sector = collecting_sectors.sector
    cross join scopes
    where scopes.is_all or not collecting_sectors.all_only
    group by reporting_counts.period, collecting_sectors.dimension, scopes.is_all
),

levels as (
    select
        period,
        sector,
        org_code,
        profession,
        dimension,
        category,
        leavers_12m,
        cast(null as {{ dbt.type_bigint() }}) as orgs_reporting,
        cast(null as {{ dbt.type_bigint() }}) as orgs_expected,
        is_provisional
    from org_rows
    union all
    select
        sector_rows.period,
        sector_rows.sector,
        'ICS' as org_code,
        sector_rows.profession,
        sector_rows.dimension,
        sector_rows.category,
        sector_rows.leavers_12m,
        reporting_counts.orgs_reporting,
        reporting_counts.orgs_expected,
        coalesce(sector_provisional.is_provisional, false) as is_provisional
    from sector_rows
    left join reporting_counts using (period, sector)
    left join sector_provisional using (period, sector, profession)
    union all
    select
        system_rows.period,
        'System' as sector,
        'ICS' as org_code,
        system_rows.profession,
        system_rows.dimension,
        system_rows.category,
        system_rows.leavers_12m,
        system_coverage.orgs_reporting,
        system_coverage.orgs_expected,
        coalesce(system_provisional.is_provisional, false) as is_provisional
    from system_rows
    left join system_provisional using (period, profession)
    left join system_coverage
        on
            system_rows.period = system_coverage.period
            and system_rows.dimension = system_coverage.dimension
            and (system_rows.profession = 'All') = system_coverage.is_all
)

select
    period,
    sector,
    org_code,
    profession,
    dimension,
    category,
    leavers_12m,
    sum(leavers_12m) over (partition by period, sector, org_code, profession, dimension) as total_leavers_12m,
    orgs_reporting,
    orgs_expected,
    -- as mart_system_kpis: provisional too while too few of the partners expected are reporting
    is_provisional or coalesce({{ coverage_is_low('orgs_reporting', 'orgs_expected') }}, false) as is_provisional
from levels
