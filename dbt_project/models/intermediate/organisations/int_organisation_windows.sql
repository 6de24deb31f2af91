-- The completeness of an organisation's person figures at month-end M, from int_return_windows: the
-- staff-in-post return (NHS ESR staff, ASC workers) at M and over M-12 .. M, leaver figures over
-- M-12 .. M (NHS: ESR staff and ESR leavers both; ASC: the workers extract), and the VCSE workbook over
-- the five quarter-ends M-12 .. M. The one place the person KPIs (turnover, joiners, stability, leavers,
-- disparities) take their window rule from.
with windows as (
    select * from {{ ref('int_return_windows') }}
),

flags as (
    select
        period,
        org_code,
        max(case when source_name = 'nhs_esr_staff' then 1 else 0 end) = 1 as has_esr_staff,
        max(case when source_name in ('nhs_esr_staff', 'asc_wds_workers') and is_complete then 1 else 0 end) = 1
            as staff_complete,
        max(
            case when source_name in ('nhs_esr_staff', 'asc_wds_workers') and is_window_complete then 1 else 0 end
        ) = 1 as staff_window_complete,
        max(case when source_name = 'nhs_esr_leavers' and is_window_complete then 1 else 0 end) = 1
            as esr_leavers_window_complete,
        max(case when source_name = 'vcse_returns' and is_window_complete then 1 else 0 end) = 1
            as vcse_window_complete
    from windows
    group by period, org_code
)

select
    period,
    org_code,
    staff_complete,
    staff_window_complete,
    staff_window_complete and (not has_esr_staff or esr_leavers_window_complete) as leavers_window_complete,
    vcse_window_complete
from flags
