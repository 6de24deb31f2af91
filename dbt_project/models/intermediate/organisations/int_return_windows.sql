-- The window and completeness rule of metrics.md (Conventions), in one place. For each reporting
-- organisation, return source and month-end M: whether the source's returns are complete at M, and
-- whether they are complete over M-12 .. M, the months a 12-month figure needs (W = M-11 .. M is summed,
-- M-12 gives the opening headcount): all 13 month-ends for a monthly source, the five quarter-ends for a
-- quarterly one (VCSE). Every 12-month KPI reads its window from here (int_organisation_windows,
-- int_system_kpi_coverage).
with completeness as (
    select * from {{ ref('int_return_completeness') }}
),

months as (
    select * from {{ ref('int_months') }}
),

return_sources as (
    select * from {{ ref('return_sources') }}
),

window_counts as (
    select
        months.period,
        completeness.reporting_org_code as org_code,
        completeness.source_name,
        max(case when completeness.period = months.period and completeness.is_complete then 1 else 0 end) = 1
            as is_complete,
        sum(case when completeness.is_complete then 1 else 0 end) as complete_periods
    from months
    inner join completeness
        on
            months.period >= completeness.period
            and completeness.period >= {{ add_months('months.period', -12) }}
    group by months.period, completeness.reporting_org_code, completeness.source_name
)

select
    window_counts.period,
    window_counts.org_code,
    window_counts.source_name,
    window_counts.is_complete,
    window_counts.complete_periods,
    window_counts.complete_periods
    = case when return_sources.cadence = 'quarterly' then 5 else 13 end as is_window_complete
from window_counts
left join return_sources on window_counts.source_name = return_sources.source_name
