-- The numerator and denominator each reporting partner contributes to a system KPI, UNSUPPRESSED, per
-- month, sector, organisation and profession ('All' included): sector and system values are sums of these
-- over the partners with both known (metrics.md), suppressed only after summing (mart_system_kpis).
-- 12-month person figures come from int_workforce_windows (NHS, ASC: M-11 .. M) and int_vcse_windows
-- (VCSE: the four quarters of W, a sum unknown when any quarter's cell is empty). Means
-- carry their sum and count (pooled means); medians are pooled from records in mart_system_kpis.
with coverage as (
    select * from {{ ref('int_system_kpi_coverage') }}
    where is_reporting
),

person_windows as (
    select * from {{ ref('int_workforce_windows') }}
),

vcse_windows as (
    select * from {{ ref('int_vcse_windows') }}
),

vacancy as (
    select * from {{ ref('int_vacancy_by_organisation') }}
),

windows as (
    select
        period,
        sector,
        org_code,
        profession,
        cast(joiners_12m as {{ type_double() }}) as joiners_12m,
        cast(leavers_12m as {{ type_double() }}) as leavers_12m,
        cast(early_leavers_12m as {{ type_double() }}) as early_leavers_12m,
        cast(leavers_12m - internal_moves_12m as {{ type_double() }}) as system_leavers_12m,
        (headcount_12m_ago + headcount) / 2.0 as turnover_denominator,
        cast(stayers_12m as {{ type_double() }}) as stayers_12m,
        cast(headcount_12m_ago as {{ type_double() }}) as headcount_12m_ago,
        provisional_leavers_12m > 0 as is_provisional
    from person_windows
    union all
    select
        period,
        'VCSE' as sector,
        org_code,
        profession,
        cast(joiners_12m as {{ type_double() }}) as joiners_12m,
        cast(leavers_12m as {{ type_double() }}) as leavers_12m,
        cast(early_leavers_12m as {{ type_double() }}) as early_leavers_12m,
        cast(null as {{ type_double() }}) as system_leavers_12m,
        case
            when unknown_headcounts = 0 then (coalesce(headcount_12m_ago, 0) + coalesce(headcount, 0)) / 2.0
        end as turnover_denominator,
        cast(null as {{ type_double() }}) as stayers_12m,
        cast(null as {{ type_double() }}) as headcount_12m_ago,
        false as is_provisional
    from vcse_windows
),

long_parts as (
    select
        period,
        sector,
        org_code,
        profession,
        'joiners_12m' as kpi,
        joiners_12m as numerator,
        cast(null as {{ type_double() }}) as denominator,
        'count' as basis,
        false as is_provisional
    from windows
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'leavers_12m' as kpi,
        leavers_12m as numerator,
        cast(null as {{ type_double() }}) as denominator,
        'count' as basis,
        is_provisional
    from windows
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'turnover_rate_12m' as kpi,
        leavers_12m as numerator,
        turnover_denominator as denominator,
        'headcount' as basis,
        is_provisional
    from windows
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'system_turnover_rate_12m' as kpi,
        system_leavers_12m as numerator,
        turnover_denominator as denominator,
        'headcount' as basis,
        is_provisional
    from windows
    where sector <> 'VCSE'
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'early_leaver_share_12m' as kpi,
        early_leavers_12m as numerator,
        leavers_12m as denominator,
        'headcount' as basis,
        is_provisional
    from windows
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'stability_index_12m' as kpi,
        stayers_12m as numerator,
        headcount_12m_ago as denominator,
        'headcount' as basis,
        false as is_provisional
    from windows
    where sector <> 'VCSE'
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'vacancy_rate' as kpi,
        vacancy_numerator as numerator,
        vacancy_denominator as denominator,
        vacancy_basis as basis,
        false as is_provisional
    from vacancy
    where vacancy_basis is not null
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'bank_agency_share' as kpi,
        bank_agency_numerator as numerator,
        bank_agency_denominator as denominator,
        bank_agency_basis as basis,
        false as is_provisional
    from vacancy
    where bank_agency_basis is not null
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'sickness_rate' as kpi,
        sickness_fte_days_lost as numerator,
        sickness_fte_days_available as denominator,
        'days' as basis,
        false as is_provisional
    from vacancy
    where sector = 'NHS'
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'avg_sick_days_12m' as kpi,
        sick_days_sum as numerator,
        cast(sick_days_workers as {{ type_double() }}) as denominator,
        'days' as basis,
        false as is_provisional
    from vacancy
    where sector = 'Adult social care'
    union all
    select
        period,
        sector,
        org_code,
        profession,
        'mean_days_to_fill' as kpi,
        days_to_fill_weighted_sum as numerator,
        cast(days_to_fill_joiners as {{ type_double() }}) as denominator,
        'days' as basis,
        false as is_provisional
    from vacancy
    where sector = 'VCSE'
)

select
    long_parts.period,
    long_parts.sector,
    long_parts.org_code,
    long_parts.profession,
    long_parts.kpi,
    long_parts.numerator,
    long_parts.denominator,
    long_parts.basis,
    long_parts.is_provisional
from long_parts
inner join coverage using (period, sector, org_code, kpi)
