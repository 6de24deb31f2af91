-- Turnover, joiners, stability, early leavers, length of service and internal moves (metrics.md KPIs 1, 3
-- and 4), one row per (period, sector, org_code, profession), profession 'All' included. NHS and ASC from
-- person records every month; VCSE from the quarterly workbook at quarter-ends. A 12-month figure at M
-- sums the window M-11 .. M and is NULL unless every month M-12 .. M (VCSE: the five quarter-ends) has
-- the complete accepted returns of the sources it uses. Disclosure control per value (metrics.md).
with monthly as (
    select * from {{ ref('int_workforce_monthly') }}
),

vcse as (
    select * from {{ ref('int_vcse_quarters') }}
),

coverage as (
    select * from {{ ref('int_return_coverage') }}
),

completeness as (
    select * from {{ ref('int_return_completeness') }}
),

months as (
    select * from {{ ref('int_months') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

reporting_organisations as (
    select
        org_code,
        org_name,
        sector
    from organisations
    where org_code = reporting_org_code
),

-- ---------------------------------------------------------------- NHS and ASC (person records)
-- Organisation-months expected or received for the staff-in-post source.
person_org_months as (
    select distinct
        coverage.period,
        coalesce(
            reporting_organisations.sector,
            case when coverage.source_name = 'nhs_esr_staff' then 'NHS' else 'Adult social care' end
        ) as sector,
        coverage.reporting_org_code as org_code
    from coverage
    left join reporting_organisations on coverage.reporting_org_code = reporting_organisations.org_code
    where coverage.source_name in ('nhs_esr_staff', 'asc_wds_workers')
),

-- Per organisation and month: complete staff-in-post returns, and (NHS) complete ESR leavers returns.
month_flags as (
    select
        reporting_org_code as org_code,
        period,
        max(
            case when source_name in ('nhs_esr_staff', 'asc_wds_workers') and is_complete then 1 else 0 end
        ) as staff_complete,
        max(case when source_name = 'nhs_esr_leavers' and is_complete then 1 else 0 end) as esr_leavers_complete
    from completeness
    group by reporting_org_code, period
),

-- Months M-12 .. M with complete returns: 13 means the 12-month figures at M can be computed.
window_flags as (
    select
        person_org_months.period,
        person_org_months.org_code,
        max(
            case when month_flags.period = person_org_months.period then month_flags.staff_complete else 0 end
        ) = 1 as staff_complete,
        sum(month_flags.staff_complete) as staff_complete_months,
        sum(
            case
                when
                    month_flags.staff_complete = 1
                    and (person_org_months.sector <> 'NHS' or month_flags.esr_leavers_complete = 1)
                    then 1
                else 0
            end
        ) as leavers_complete_months
    from person_org_months
    inner join month_flags
        on
            person_org_months.org_code = month_flags.org_code
            and month_flags.period >= {{ add_months('person_org_months.period', -12) }}
            and person_org_months.period >= month_flags.period
    group by person_org_months.period, person_org_months.org_code
),

-- Professions with staff, joiners or leavers in the 13 months to M, plus 'All' every month.
person_spine as (
    select
        period,
        sector,
        org_code,
        'All' as profession
    from person_org_months
    union
    select
        months.period,
        monthly.sector,
        monthly.org_code,
        monthly.profession
    from monthly
    inner join months
        on
            monthly.period <= months.period
            and months.period <= {{ add_months('monthly.period', 12) }}
    inner join person_org_months
        on
            monthly.org_code = person_org_months.org_code
            and months.period = person_org_months.period
    where monthly.profession <> 'All'
),

window_sums as (
    select
        person_spine.period,
        person_spine.org_code,
        person_spine.profession,
        sum(monthly.joiners) as joiners_12m,
        sum(monthly.leavers) as leavers_12m,
        sum(monthly.leavers_fte) as leavers_fte_12m,
        sum(monthly.early_leavers) as early_leavers_12m,
        sum(monthly.internal_moves) as internal_moves_12m,
        sum(monthly.provisional_leavers) as provisional_leavers_12m
    from person_spine
    inner join monthly
        on
            person_spine.org_code = monthly.org_code
            and person_spine.profession = monthly.profession
            and monthly.period >= {{ add_months('person_spine.period', -11) }}
            and person_spine.period >= monthly.period
    group by person_spine.period, person_spine.org_code, person_spine.profession
),

person_rows as (
    select
        person_spine.period,
        person_spine.sector,
        person_spine.org_code,
        person_spine.profession,
        coalesce(window_flags.staff_complete, false) as staff_complete,
        coalesce(window_flags.staff_complete_months, 0) = 13 as staff_window_complete,
        coalesce(window_flags.leavers_complete_months, 0) = 13 as leavers_window_complete,
        coalesce(current_month.headcount, 0) as headcount,
        coalesce(current_month.fte, 0) as fte,
        coalesce(year_before.headcount, 0) as headcount_12m_ago,
        coalesce(year_before.fte, 0) as fte_12m_ago,
        coalesce(current_month.stayers_12m, 0) as stayers_12m,
        current_month.median_service_years,
        coalesce(current_month.service_lt1, 0) as service_lt1,
        coalesce(current_month.service_1_2, 0) as service_1_2,
        coalesce(current_month.service_2_5, 0) as service_2_5,
        coalesce(current_month.service_5_10, 0) as service_5_10,
        coalesce(current_month.service_10_plus, 0) as service_10_plus,
        coalesce(window_sums.joiners_12m, 0) as joiners_12m,
        coalesce(window_sums.leavers_12m, 0) as leavers_12m,
        coalesce(window_sums.leavers_fte_12m, 0) as leavers_fte_12m,
        coalesce(window_sums.early_leavers_12m, 0) as early_leavers_12m,
        coalesce(window_sums.internal_moves_12m, 0) as internal_moves_12m,
        coalesce(window_sums.provisional_leavers_12m, 0) > 0 as has_provisional_leavers
    from person_spine
    left join window_flags
        on person_spine.org_code = window_flags.org_code and person_spine.period = window_flags.period
    left join monthly as current_month
        on
            person_spine.org_code = current_month.org_code
            and person_spine.profession = current_month.profession
            and person_spine.period = current_month.period
    left join monthly as year_before
        on
            person_spine.org_code = year_before.org_code
            and person_spine.profession = year_before.profession
            and year_before.period = {{ add_months('person_spine.period', -12) }}
    left join window_sums
        on
            person_spine.org_code = window_sums.org_code
            and person_spine.profession = window_sums.profession
            and person_spine.period = window_sums.period
),

person_figures as (
    select
        period,
        sector,
        org_code,
        profession,
        case when staff_complete then headcount end as headcount,
        case when staff_complete then fte end as fte,
        case when staff_window_complete then joiners_12m end as joiners_12m,
        case when leavers_window_complete then leavers_12m end as leavers_12m,
        case when leavers_window_complete and sector = 'NHS' then leavers_fte_12m end as leavers_fte_12m,
        case when leavers_window_complete then (headcount_12m_ago + headcount) / 2.0 end as turnover_denominator,
        case
            when leavers_window_complete and sector = 'NHS' then (fte_12m_ago + fte) / 2.0
        end as turnover_fte_denominator,
        case when staff_window_complete then stayers_12m end as stability_numerator,
        case when staff_window_complete then headcount_12m_ago end as stability_denominator,
        case when leavers_window_complete then early_leavers_12m end as early_leavers_12m,
        case when staff_complete then median_service_years end as median_service_years,
        case when staff_complete then service_lt1 end as service_lt1,
        case when staff_complete then service_1_2 end as service_1_2,
        case when staff_complete then service_2_5 end as service_2_5,
        case when staff_complete then service_5_10 end as service_5_10,
        case when staff_complete then service_10_plus end as service_10_plus,
        case when leavers_window_complete then internal_moves_12m end as internal_moves_12m,
        case when leavers_window_complete then leavers_12m - internal_moves_12m end as system_leavers_12m,
        leavers_window_complete and has_provisional_leavers as is_provisional
    from person_rows
),

-- ---------------------------------------------------------------- VCSE (quarterly aggregates)
vcse_org_quarters as (
    select distinct
        coverage.period,
        coverage.reporting_org_code as org_code
    from coverage
    where coverage.source_name = 'vcse_returns'
),

vcse_professions as (
    select distinct
        org_code,
        profession
    from vcse
),

vcse_spine as (
    select
        period,
        org_code,
        'All' as profession
    from vcse_org_quarters
    union
    select
        vcse_org_quarters.period,
        vcse_org_quarters.org_code,
        vcse_professions.profession
    from vcse_org_quarters
    inner join vcse_professions on vcse_org_quarters.org_code = vcse_professions.org_code
),

vcse_quarter_flags as (
    select
        vcse_spine.period,
        vcse_spine.org_code,
        vcse_spine.profession,
        sum(case when completeness.is_complete then 1 else 0 end) as complete_quarters
    from vcse_spine
    left join completeness
        on
            vcse_spine.org_code = completeness.reporting_org_code
            and completeness.source_name = 'vcse_returns'
            and completeness.period in (
                vcse_spine.period,
                {{ add_months('vcse_spine.period', -3) }},
                {{ add_months('vcse_spine.period', -6) }},
                {{ add_months('vcse_spine.period', -9) }},
                {{ add_months('vcse_spine.period', -12) }}
            )
    group by vcse_spine.period, vcse_spine.org_code, vcse_spine.profession
),

-- The four quarters of W: a sum is unknown when any quarter's value is (empty cells are not zero).
vcse_window as (
    select
        vcse_spine.period,
        vcse_spine.org_code,
        vcse_spine.profession,
        count(vcse.period) as quarters,
        case when sum(case when vcse.joiners is null then 1 else 0 end) = 0 then sum(vcse.joiners) end
            as joiners_12m,
        case when sum(case when vcse.leavers is null then 1 else 0 end) = 0 then sum(vcse.leavers) end
            as leavers_12m,
        case
            when sum(case when vcse.leavers_under_12_months is null then 1 else 0 end) = 0
                then sum(vcse.leavers_under_12_months)
        end as early_leavers_12m
    from vcse_spine
    left join vcse
        on
            vcse_spine.org_code = vcse.org_code
            and vcse_spine.profession = vcse.profession
            and vcse.period in (
                vcse_spine.period,
                {{ add_months('vcse_spine.period', -3) }},
                {{ add_months('vcse_spine.period', -6) }},
                {{ add_months('vcse_spine.period', -9) }}
            )
    group by vcse_spine.period, vcse_spine.org_code, vcse_spine.profession
),

vcse_figures as (
    select
        vcse_spine.period,
        'VCSE' as sector,
        vcse_spine.org_code,
        vcse_spine.profession,
        current_quarter.paid_headcount as headcount,
        current_quarter.paid_fte as fte,
        case when vcse_quarter_flags.complete_quarters = 5 then vcse_window.joiners_12m end as joiners_12m,
        case when vcse_quarter_flags.complete_quarters = 5 then vcse_window.leavers_12m end as leavers_12m,
        cast(null as {{ type_double() }}) as leavers_fte_12m,
        case
            when vcse_quarter_flags.complete_quarters = 5
                then (year_before.paid_headcount + current_quarter.paid_headcount) / 2.0
        end as turnover_denominator,
        cast(null as {{ type_double() }}) as turnover_fte_denominator,
        cast(null as {{ dbt.type_bigint() }}) as stability_numerator,
        cast(null as {{ dbt.type_bigint() }}) as stability_denominator,
        case when vcse_quarter_flags.complete_quarters = 5 then vcse_window.early_leavers_12m end
            as early_leavers_12m,
        cast(null as {{ type_double() }}) as median_service_years,
        cast(null as {{ dbt.type_bigint() }}) as service_lt1,
        cast(null as {{ dbt.type_bigint() }}) as service_1_2,
        cast(null as {{ dbt.type_bigint() }}) as service_2_5,
        cast(null as {{ dbt.type_bigint() }}) as service_5_10,
        cast(null as {{ dbt.type_bigint() }}) as service_10_plus,
        cast(null as {{ dbt.type_bigint() }}) as internal_moves_12m,
        cast(null as {{ dbt.type_bigint() }}) as system_leavers_12m,
        false as is_provisional
    from vcse_spine
    inner join vcse_quarter_flags
        on
            vcse_spine.org_code = vcse_quarter_flags.org_code
            and vcse_spine.profession = vcse_quarter_flags.profession
            and vcse_spine.period = vcse_quarter_flags.period
    inner join vcse_window
        on
            vcse_spine.org_code = vcse_window.org_code
            and vcse_spine.profession = vcse_window.profession
            and vcse_spine.period = vcse_window.period
    left join vcse as current_quarter
        on
            vcse_spine.org_code = current_quarter.org_code
            and vcse_spine.profession = current_quarter.profession
            and vcse_spine.period = current_quarter.period
    left join vcse as year_before
        on
            vcse_spine.org_code = year_before.org_code
            and vcse_spine.profession = year_before.profession
            and year_before.period = {{ add_months('vcse_spine.period', -12) }}
),

figures as (
    select * from person_figures
    union all
    select * from vcse_figures
),

-- ---------------------------------------------------------------- rates, then disclosure control
rates as (
    select
        figures.*,
        {{ safe_ratio('leavers_12m', 'turnover_denominator') }} as turnover_rate_12m,
        {{ safe_ratio('leavers_fte_12m', 'turnover_fte_denominator') }} as turnover_rate_fte_12m,
        {{ safe_ratio('stability_numerator', 'stability_denominator') }} as stability_index_12m,
        {{ safe_ratio('early_leavers_12m', 'leavers_12m') }} as early_leaver_share_12m,
        {{ safe_ratio('system_leavers_12m', 'turnover_denominator') }} as system_turnover_rate_12m
    from figures
),

published as (
    select
        rates.period,
        rates.sector,
        rates.org_code,
        reporting_organisations.org_name,
        rates.profession,
        {{ suppress_count('rates.headcount') }} as headcount,
        rates.fte,
        {{ suppress_count('rates.joiners_12m') }} as joiners_12m,
        {{ suppress_count('rates.leavers_12m') }} as leavers_12m,
        case
            when rates.turnover_denominator > 0 and rates.turnover_denominator < 5 then null
            else rates.turnover_denominator
        end as turnover_denominator,
        {{ suppress_people_rate('rates.turnover_rate_12m', 'rates.leavers_12m', 'rates.turnover_denominator') }}
            as turnover_rate_12m,
        rates.leavers_fte_12m,
        rates.turnover_fte_denominator,
        case when rates.turnover_fte_denominator < 5 then null else rates.turnover_rate_fte_12m end
            as turnover_rate_fte_12m,
        {{ suppress_count('rates.stability_numerator') }} as stability_numerator,
        {{ suppress_count('rates.stability_denominator') }} as stability_denominator,
        {{ suppress_people_rate(
            'rates.stability_index_12m', 'rates.stability_numerator', 'rates.stability_denominator'
        ) }} as stability_index_12m,
        {{ suppress_count('rates.early_leavers_12m') }} as early_leavers_12m,
        {{ suppress_people_rate('rates.early_leaver_share_12m', 'rates.early_leavers_12m', 'rates.leavers_12m') }}
            as early_leaver_share_12m,
        case when rates.headcount < 5 then null else rates.median_service_years end as median_service_years,
        {{ suppress_count('rates.service_lt1') }} as service_lt1,
        {{ suppress_count('rates.service_1_2') }} as service_1_2,
        {{ suppress_count('rates.service_2_5') }} as service_2_5,
        {{ suppress_count('rates.service_5_10') }} as service_5_10,
        {{ suppress_count('rates.service_10_plus') }} as service_10_plus,
        {{ suppress_count('rates.system_leavers_12m') }} as system_leavers_12m,
        {{ suppress_count('rates.internal_moves_12m') }} as internal_moves_12m,
        {{ suppress_people_rate(
            'rates.system_turnover_rate_12m', 'rates.system_leavers_12m', 'rates.turnover_denominator'
        ) }} as system_turnover_rate_12m,
        rates.is_provisional,
        (
            {{ is_small_count('rates.headcount') }}
            or {{ is_small_count('rates.joiners_12m') }}
            or {{ is_small_count('rates.leavers_12m') }}
            or (rates.turnover_denominator > 0 and rates.turnover_denominator < 5)
            or (rates.turnover_rate_fte_12m is not null and rates.turnover_fte_denominator < 5)
            or {{ is_small_count('rates.stability_numerator') }}
            or {{ is_small_count('rates.stability_denominator') }}
            or (rates.stability_index_12m is not null and rates.stability_denominator < 5)
            or {{ is_small_count('rates.early_leavers_12m') }}
            or (rates.median_service_years is not null and rates.headcount < 5)
            or {{ is_small_count('rates.service_lt1') }}
            or {{ is_small_count('rates.service_1_2') }}
            or {{ is_small_count('rates.service_2_5') }}
            or {{ is_small_count('rates.service_5_10') }}
            or {{ is_small_count('rates.service_10_plus') }}
            or {{ is_small_count('rates.system_leavers_12m') }}
            or {{ is_small_count('rates.internal_moves_12m') }}
        ) as is_suppressed
    from rates
    left join reporting_organisations on rates.org_code = reporting_organisations.org_code
)

select
    period,
    sector,
    org_code,
    org_name,
    profession,
    cast(headcount as {{ dbt.type_bigint() }}) as headcount,
    cast(fte as {{ type_double() }}) as fte,
    cast(joiners_12m as {{ dbt.type_bigint() }}) as joiners_12m,
    cast(leavers_12m as {{ dbt.type_bigint() }}) as leavers_12m,
    cast(turnover_denominator as {{ type_double() }}) as turnover_denominator,
    cast(turnover_rate_12m as {{ type_double() }}) as turnover_rate_12m,
    cast(leavers_fte_12m as {{ type_double() }}) as leavers_fte_12m,
    cast(turnover_fte_denominator as {{ type_double() }}) as turnover_fte_denominator,
    cast(turnover_rate_fte_12m as {{ type_double() }}) as turnover_rate_fte_12m,
    cast(stability_numerator as {{ dbt.type_bigint() }}) as stability_numerator,
    cast(stability_denominator as {{ dbt.type_bigint() }}) as stability_denominator,
    cast(stability_index_12m as {{ type_double() }}) as stability_index_12m,
    cast(early_leavers_12m as {{ dbt.type_bigint() }}) as early_leavers_12m,
    cast(early_leaver_share_12m as {{ type_double() }}) as early_leaver_share_12m,
    cast(median_service_years as {{ type_double() }}) as median_service_years,
    cast(service_lt1 as {{ dbt.type_bigint() }}) as service_lt1,
    cast(service_1_2 as {{ dbt.type_bigint() }}) as service_1_2,
    cast(service_2_5 as {{ dbt.type_bigint() }}) as service_2_5,
    cast(service_5_10 as {{ dbt.type_bigint() }}) as service_5_10,
    cast(service_10_plus as {{ dbt.type_bigint() }}) as service_10_plus,
    cast(system_leavers_12m as {{ dbt.type_bigint() }}) as system_leavers_12m,
    cast(internal_moves_12m as {{ dbt.type_bigint() }}) as internal_moves_12m,
    cast(system_turnover_rate_12m as {{ type_double() }}) as system_turnover_rate_12m,
    coalesce(is_provisional, false) as is_provisional,
    coalesce(is_suppressed, false) as is_suppressed
from published
