-- The person figures of mart_turnover UNSUPPRESSED, one row per (period, sector, org_code, profession),
-- profession 'All' included: turnover, joiners, stability, early leavers, length of service and internal
-- moves (metrics.md KPIs 1, 3 and 4) with their numerators, denominators and rates. NHS and ASC from the
-- window sums of int_workforce_windows every month; VCSE from int_vcse_windows at quarter-ends. A 12-month
-- figure at M is NULL unless the window rule of int_organisation_windows holds (every month M-12 .. M
-- complete; VCSE: the five quarter-ends).
with monthly as (
    select * from {{ ref('int_workforce_monthly') }}
),

vcse as (
    select * from {{ ref('int_vcse_quarters') }}
),

person_windows as (
    select * from {{ ref('int_workforce_windows') }}
),

vcse_windows as (
    select * from {{ ref('int_vcse_windows') }}
),

coverage as (
    select * from {{ ref('int_return_coverage') }}
),

org_windows as (
    select * from {{ ref('int_organisation_windows') }}
),

months as (
    select * from {{ ref('int_months') }}
),

reporting_organisations as (
    select * from {{ ref('int_reporting_organisations') }}
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

person_rows as (
    select
        person_spine.period,
        person_spine.sector,
        person_spine.org_code,
        person_spine.profession,
        coalesce(org_windows.staff_complete, false) as staff_complete,
        coalesce(org_windows.staff_window_complete, false) as staff_window_complete,
        coalesce(org_windows.leavers_window_complete, false) as leavers_window_complete,
        coalesce(person_windows.headcount, 0) as headcount,
        coalesce(person_windows.fte, 0) as fte,
        coalesce(person_windows.headcount_12m_ago, 0) as headcount_12m_ago,
        coalesce(person_windows.fte_12m_ago, 0) as fte_12m_ago,
        coalesce(person_windows.stayers_12m, 0) as stayers_12m,
        current_month.median_service_years,
        {%- for _, column in service_band_columns() %}
            coalesce(current_month.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        coalesce(person_windows.joiners_12m, 0) as joiners_12m,
        coalesce(person_windows.leavers_12m, 0) as leavers_12m,
        coalesce(person_windows.leavers_fte_12m, 0) as leavers_fte_12m,
        coalesce(person_windows.early_leavers_12m, 0) as early_leavers_12m,
        coalesce(person_windows.internal_moves_12m, 0) as internal_moves_12m,
        coalesce(person_windows.provisional_leavers_12m, 0) > 0 as has_provisional_leavers
    from person_spine
    left join org_windows using (org_code, period)
    left join monthly as current_month using (org_code, profession, period)
    left join person_windows using (org_code, profession, period)
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
        case
            when leavers_window_complete then {{ turnover_denominator('headcount_12m_ago', 'headcount') }}
        end as turnover_denominator,
        case
            when leavers_window_complete and sector = 'NHS' then {{ turnover_denominator('fte_12m_ago', 'fte') }}
        end as turnover_fte_denominator,
        case when staff_window_complete then stayers_12m end as stability_numerator,
        case when staff_window_complete then headcount_12m_ago end as stability_denominator,
        case when leavers_window_complete then early_leavers_12m end as early_leavers_12m,
        case when staff_complete then median_service_years end as median_service_years,
        {%- for _, column in service_band_columns() %}
            case when staff_complete then {{ column }} end as {{ column }},
        {%- endfor %}
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

vcse_figures as (
    select
        vcse_spine.period,
        'VCSE' as sector,
        vcse_spine.org_code,
        vcse_spine.profession,
        current_quarter.paid_headcount as headcount,
        current_quarter.paid_fte as fte,
        case when org_windows.vcse_window_complete then vcse_windows.joiners_12m end as joiners_12m,
        case when org_windows.vcse_window_complete then vcse_windows.leavers_12m end as leavers_12m,
        cast(null as {{ type_double() }}) as leavers_fte_12m,
        case
            when org_windows.vcse_window_complete
                then {{ turnover_denominator('year_before.paid_headcount', 'current_quarter.paid_headcount') }}
        end as turnover_denominator,
        cast(null as {{ type_double() }}) as turnover_fte_denominator,
        cast(null as {{ dbt.type_bigint() }}) as stability_numerator,
        cast(null as {{ dbt.type_bigint() }}) as stability_denominator,
        case when org_windows.vcse_window_complete then vcse_windows.early_leavers_12m end
            as early_leavers_12m,
        cast(null as {{ type_double() }}) as median_service_years,
        {%- for _, column in service_band_columns() %}
            cast(null as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as internal_moves_12m,
        cast(null as {{ dbt.type_bigint() }}) as system_leavers_12m,
        false as is_provisional
    from vcse_spine
    left join org_windows using (org_code, period)
    left join vcse_windows using (org_code, profession, period)
    left join vcse as current_quarter using (org_code, profession, period)
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
)

select * from rates
