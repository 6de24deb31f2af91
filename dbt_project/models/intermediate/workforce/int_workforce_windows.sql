-- The 12-month person figures of NHS trusts and ASC establishments at each month-end M, per (sector,
-- org_code, profession), 'All' included: sums of int_workforce_monthly over the window W = M-11 .. M
-- (joiners, leavers, their FTE, early leavers, internal moves, provisional leavers), the headcount and FTE
-- at M and at M-12, and the stayers at M. One row wherever the organisation has monthly figures in
-- M-12 .. M. Whether the window's returns are complete is int_organisation_windows' rule, applied by the
-- readers (int_turnover_figures, int_system_kpi_parts).
with monthly as (
    select * from {{ ref('int_workforce_monthly') }}
),

months as (
    select * from {{ ref('int_months') }}
)

select
    months.period,
    monthly.sector,
    monthly.org_code,
    monthly.profession,
    sum(case when monthly.period > {{ add_months('months.period', -12) }} then monthly.joiners else 0 end)
        as joiners_12m,
    sum(case when monthly.period > {{ add_months('months.period', -12) }} then monthly.leavers else 0 end)
        as leavers_12m,
    sum(case when monthly.period > {{ add_months('months.period', -12) }} then monthly.leavers_fte else 0 end)
        as leavers_fte_12m,
    sum(
        case when monthly.period > {{ add_months('months.period', -12) }} then monthly.early_leavers else 0 end
    ) as early_leavers_12m,
    sum(
        case when monthly.period > {{ add_months('months.period', -12) }} then monthly.internal_moves else 0 end
    ) as internal_moves_12m,
    sum(
        case
            when monthly.period > {{ add_months('months.period', -12) }} then monthly.provisional_leavers else 0
        end
    ) as provisional_leavers_12m,
    sum(case when monthly.period = months.period then monthly.headcount else 0 end) as headcount,
    sum(case when monthly.period = {{ add_months('months.period', -12) }} then monthly.headcount else 0 end)
        as headcount_12m_ago,
    sum(case when monthly.period = months.period then monthly.fte else 0 end) as fte,
    sum(case when monthly.period = {{ add_months('months.period', -12) }} then monthly.fte else 0 end) as fte_12m_ago,
    sum(case when monthly.period = months.period then monthly.stayers_12m else 0 end) as stayers_12m
from months
inner join monthly
    on
        months.period >= monthly.period
        and monthly.period >= {{ add_months('months.period', -12) }}
group by months.period, monthly.sector, monthly.org_code, monthly.profession
