-- Where joiners come from and who they are: joiners in the 12 months to period by dimension and category
-- (metrics.md, "Beside the seven: where joiners come from"), per organisation and profession ('All'
-- included), and per sector and the System (org_code 'ICS'). NHS and ASC from int_joiner_counts; the VCSE
-- workbook gives joiners without a breakdown, so its joiners_12m (mart_turnover's) are origin 'Unknown'.
-- Sector rows sum the unsuppressed counts of the partners reporting joiners (int_system_kpi_coverage, as
-- mart_system_kpis' joiners_12m), the System row sums the sectors; then disclosure control.
with person_counts as (
    select * from {{ ref('int_joiner_counts') }}
),

turnover as (
    select * from {{ ref('int_turnover_figures') }}
),

coverage as (
    select * from {{ ref('int_system_kpi_coverage') }}
    where kpi = 'joiners_12m' and is_reporting
),

reporting_counts as (
    select * from {{ ref('int_kpi_reporting_counts') }}
    where kpi = 'joiners_12m'
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

org_counts as (
    select * from person_counts
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'origin' as dimension,
        'Unknown' as category,
        joiners_12m
    from turnover
    where sector = 'VCSE' and joiners_12m > 0
),

sector_counts as (
    select
        org_counts.period,
        org_counts.sector,
        'ICS' as org_code,
        org_counts.profession,
        org_counts.dimension,
        org_counts.category,
        sum(org_counts.joiners_12m) as joiners_12m
    from org_counts
    inner join coverage using (period, sector, org_code)
    group by org_counts.period, org_counts.sector, org_counts.profession, org_counts.dimension, org_counts.category
),

system_counts as (
    select
        period,
        'System' as sector,
        org_code,
        profession,
        dimension,
        category,
        sum(joiners_12m) as joiners_12m
    from sector_counts
    group by period, org_code, profession, dimension, category
),

dimensions as (
    select distinct dimension
    from org_counts
),

-- Partners expected and reporting, per sector, and for the System over the sectors that collect the
-- dimension (origin: all three; disability: the NHS; the others: NHS and ASC).
system_coverage as (
    select
        reporting_counts.period,
        'System' as sector,
        dimensions.dimension,
        sum(reporting_counts.orgs_reporting) as orgs_reporting,
        sum(reporting_counts.orgs_expected) as orgs_expected
    from reporting_counts
    inner join dimensions
        on
            (dimensions.dimension = 'origin' or reporting_counts.sector <> 'VCSE')
            and (dimensions.dimension <> 'disability' or reporting_counts.sector = 'NHS')
    where reporting_counts.sector <> 'System'
    group by reporting_counts.period, dimensions.dimension
),

all_counts as (
    select
        org_counts.*,
        cast(null as {{ dbt.type_bigint() }}) as orgs_reporting,
        cast(null as {{ dbt.type_bigint() }}) as orgs_expected
    from org_counts
    union all
    select
        sector_counts.*,
        reporting_counts.orgs_reporting,
        reporting_counts.orgs_expected
    from sector_counts
    left join reporting_counts
        on
            sector_counts.period = reporting_counts.period
            and sector_counts.sector = reporting_counts.sector
    union all
    select
        system_counts.*,
        system_coverage.orgs_reporting,
        system_coverage.orgs_expected
    from system_counts
    left join system_coverage
        on
            system_counts.period = system_coverage.period
            and system_counts.dimension = system_coverage.dimension
),

shares as (
    select
        all_counts.*,
        -- residence_imd_decile's category 'All' is the total of its other categories
        sum(case when all_counts.category <> 'All' then all_counts.joiners_12m else 0 end) over (
            partition by
                all_counts.period, all_counts.sector, all_counts.org_code, all_counts.profession, all_counts.dimension
        ) as total_joiners_12m
    from all_counts
)

select
    shares.period,
    shares.sector,
    shares.org_code,
    organisations.org_name,
    shares.profession,
    shares.dimension,
    shares.category,
    cast({{ suppress_count('shares.joiners_12m') }} as {{ dbt.type_bigint() }}) as joiners_12m,
    {{ suppress_people_rate(safe_ratio('shares.joiners_12m', 'shares.total_joiners_12m'), 'shares.joiners_12m',
        'shares.total_joiners_12m') }} as share_of_joiners,
    cast(shares.orgs_reporting as {{ dbt.type_bigint() }}) as orgs_reporting,
    cast(shares.orgs_expected as {{ dbt.type_bigint() }}) as orgs_expected,
    coalesce(
        {{ is_small_rate('shares.joiners_12m', 'shares.total_joiners_12m') }},
        false
    ) as is_suppressed
from shares
left join organisations on shares.org_code = organisations.org_code
