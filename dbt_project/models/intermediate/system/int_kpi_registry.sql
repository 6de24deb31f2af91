-- The KPI registry (seeds/reference/kpi_definitions.csv) one row per KPI and sector that reports it,
-- System included: how sector values aggregate partners (sum of counts, ratio of sums, pooled mean or
-- pooled median), the months back a figure needs (12: the window M-12 .. M; 0: the month itself), and the
-- basis. A sector reports a KPI when its basis is set; the System basis is the sectors' common basis, or
-- 'mixed' where they differ. mart_system_kpis and int_system_kpi_coverage read the KPI facts from here.
with definitions as (
    select * from {{ ref('kpi_definitions') }}
),

sectors as (
    select
        kpi,
        'NHS' as sector,
        basis_nhs as basis
    from definitions
    union all
    select
        kpi,
        'Adult social care' as sector,
        basis_asc as basis
    from definitions
    union all
    select
        kpi,
        'VCSE' as sector,
        basis_vcse as basis
    from definitions
),

reported as (
    select * from sectors
    where basis is not null and basis <> ''
),

with_system as (
    select * from reported
    union all
    select
        kpi,
        'System' as sector,
        case when count(distinct basis) = 1 then max(basis) else 'mixed' end as basis
    from reported
    group by kpi
)

select
    with_system.kpi,
    with_system.sector,
    definitions.aggregation,
    cast(definitions.window_months as {{ dbt.type_int() }}) as window_months,
    with_system.basis,
    definitions.return_sources
from with_system
inner join definitions on with_system.kpi = definitions.kpi
