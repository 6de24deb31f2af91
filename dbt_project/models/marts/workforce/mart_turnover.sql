-- Turnover, joiners, stability, early leavers, length of service and internal moves (metrics.md KPIs 1, 3
-- and 4), one row per (period, sector, org_code, profession), profession 'All' included: the figures of
-- int_turnover_figures (which holds the window rule and the arithmetic) with disclosure control per value
-- (metrics.md) and the organisation's name.
with rates as (
    select * from {{ ref('int_turnover_figures') }}
),

reporting_organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

-- VCSE volunteers at the quarter-end (the Workforce sheet; docs/decisions.md): a count of people.
vcse_quarters as (
    select * from {{ ref('int_vcse_quarters') }}
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
        {%- for _, column in service_band_columns() %}
            {{ suppress_count('rates.' ~ column) }} as {{ column }},
        {%- endfor %}
        {{ suppress_count('rates.system_leavers_12m') }} as system_leavers_12m,
        {{ suppress_count('rates.internal_moves_12m') }} as internal_moves_12m,
        {{ suppress_people_rate(
            'rates.system_turnover_rate_12m', 'rates.system_leavers_12m', 'rates.turnover_denominator'
        ) }} as system_turnover_rate_12m,
        {{ suppress_count('vcse_quarters.volunteers') }} as volunteers,
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
            {%- for _, column in service_band_columns() %}
                or {{ is_small_count('rates.' ~ column) }}
            {%- endfor %}
            or {{ is_small_count('rates.system_leavers_12m') }}
            or {{ is_small_count('rates.internal_moves_12m') }}
            or {{ is_small_count('vcse_quarters.volunteers') }}
        ) as is_suppressed
    from rates
    left join reporting_organisations on rates.org_code = reporting_organisations.org_code
    left join vcse_quarters
        on
            rates.sector = 'VCSE'
            and rates.period = vcse_quarters.period
            and rates.org_code = vcse_quarters.org_code
            and rates.profession = vcse_quarters.profession
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
    {%- for _, column in service_band_columns() %}
        cast({{ column }} as {{ dbt.type_bigint() }}) as {{ column }},
    {%- endfor %}
    cast(system_leavers_12m as {{ dbt.type_bigint() }}) as system_leavers_12m,
    cast(internal_moves_12m as {{ dbt.type_bigint() }}) as internal_moves_12m,
    cast(system_turnover_rate_12m as {{ type_double() }}) as system_turnover_rate_12m,
    cast(volunteers as {{ dbt.type_bigint() }}) as volunteers,
    coalesce(is_provisional, false) as is_provisional,
    coalesce(is_suppressed, false) as is_suppressed
from published
