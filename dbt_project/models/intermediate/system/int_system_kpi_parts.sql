-- The numerator and denominator each reporting partner contributes to a system KPI, UNSUPPRESSED, per
-- month, sector, organisation and profession ('All' included): sector and system values are sums of these
-- over the partners with both known (metrics.md), suppressed only after summing (mart_system_kpis).
-- 12-month person figures come from int_workforce_windows (NHS, ASC: M-11 .. M) and int_vcse_windows
-- (VCSE: the four quarters of W, a sum unknown when any quarter's cell is empty). Means
-- carry their sum and count (pooled means); medians are pooled from records in mart_system_kpis.
{%- set no_denominator = 'cast(null as ' ~ type_double() ~ ')' %}
{#- One row per KPI part: (kpi, numerator, denominator, is_provisional, from, where). The basis is the
    registry's, by KPI and sector (int_kpi_registry, from seeds/reference/kpi_definitions.csv). #}
{%- set kpi_parts = [
    ('joiners_12m', 'joiners_12m', no_denominator, 'false', 'windows', none),
    ('leavers_12m', 'leavers_12m', no_denominator, 'is_provisional', 'windows', none),
    ('turnover_rate_12m', 'leavers_12m', 'turnover_denominator', 'is_provisional', 'windows', none),
    ('system_turnover_rate_12m', 'system_leavers_12m', 'turnover_denominator', 'is_provisional', 'windows',
        "sector <> 'VCSE'"),
    ('early_leaver_share_12m', 'early_leavers_12m', 'leavers_12m', 'is_provisional', 'windows', none),
    ('stability_index_12m', 'stayers_12m', 'headcount_12m_ago', 'false', 'windows', "sector <> 'VCSE'"),
    ('vacancy_rate', 'vacancy_numerator', 'vacancy_denominator', 'false', 'vacancy', 'vacancy_basis is not null'),
    ('bank_agency_share', 'bank_agency_numerator', 'bank_agency_denominator', 'false', 'vacancy',
        'bank_agency_basis is not null'),
    ('sickness_rate', 'sickness_fte_days_lost', 'sickness_fte_days_available', 'false', 'vacancy',
        "sector = 'NHS'"),
    ('avg_sick_days_12m', 'sick_days_sum', 'cast(sick_days_workers as ' ~ type_double() ~ ')', 'false',
        'vacancy', "sector = 'Adult social care'"),
    ('mean_days_to_fill', 'days_to_fill_weighted_sum', 'cast(days_to_fill_joiners as ' ~ type_double() ~ ')',
        'false', 'vacancy', "sector = 'VCSE'"),
] %}
with coverage as (
    select * from {{ ref('int_system_kpi_coverage') }}
    where is_reporting
),

registry as (
    select * from {{ ref('int_kpi_registry') }}
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
        {{ turnover_denominator('headcount_12m_ago', 'headcount') }} as turnover_denominator,
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
            when unknown_headcounts = 0
                then {{ turnover_denominator('coalesce(headcount_12m_ago, 0)', 'coalesce(headcount, 0)') }}
        end as turnover_denominator,
        cast(null as {{ type_double() }}) as stayers_12m,
        cast(null as {{ type_double() }}) as headcount_12m_ago,
        false as is_provisional
    from vcse_windows
),

long_parts as (
    {%- for kpi, numerator, denominator, is_provisional, parts, condition in kpi_parts %}
        select
            period,
            sector,
            org_code,
            profession,
            '{{ kpi }}' as kpi,
            {{ numerator }} as numerator,
            {{ denominator }} as denominator,
            {{ is_provisional }} as is_provisional
        from {{ parts }}
        {%- if condition %}
            where {{ condition }}
        {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    long_parts.period,
    long_parts.sector,
    long_parts.org_code,
    long_parts.profession,
    long_parts.kpi,
    long_parts.numerator,
    long_parts.denominator,
    registry.basis,
    long_parts.is_provisional
from long_parts
inner join coverage using (period, sector, org_code, kpi)
inner join registry using (sector, kpi)
