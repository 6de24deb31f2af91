-- How people enter and stay (metrics.md): joiners by route, cohort retention in the organisation and in the
-- system, and retire and return from the leaving side, per (period, sector, org_code, profession, route),
-- organisation, sector and System rows (org_code 'ICS'). The figures are int_entry_route_figures'; here:
-- names, rates and disclosure control (counts of 1 to 4 people NULL, rates over them or over fewer than 5).
with figures as (
    select * from {{ ref('int_entry_route_figures') }}
),

organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

rated as (
    select
        figures.*,
        {{ safe_ratio('figures.retained_org_12m', 'figures.cohort_12m') }} as retention_rate_org_12m,
        {{ safe_ratio('figures.retained_system_12m', 'figures.cohort_12m') }} as retention_rate_system_12m
    from figures
)

select
    rated.period,
    rated.sector,
    rated.org_code,
    organisations.org_name,
    rated.profession,
    rated.route,
    cast({{ suppress_count('rated.joiners_12m') }} as {{ dbt.type_bigint() }}) as joiners_12m,
    cast({{ suppress_count('rated.cohort_12m') }} as {{ dbt.type_bigint() }}) as cohort_12m,
    cast({{ suppress_count('rated.retained_org_12m') }} as {{ dbt.type_bigint() }}) as retained_org_12m,
    cast({{ suppress_count('rated.retained_system_12m') }} as {{ dbt.type_bigint() }}) as retained_system_12m,
    {{ suppress_people_rate('rated.retention_rate_org_12m', 'rated.retained_org_12m', 'rated.cohort_12m') }}
        as retention_rate_org_12m,
    {{ suppress_people_rate('rated.retention_rate_system_12m', 'rated.retained_system_12m', 'rated.cohort_12m') }}
        as retention_rate_system_12m,
    cast({{ suppress_count('rated.retire_and_return_12m') }} as {{ dbt.type_bigint() }}) as retire_and_return_12m,
    cast(rated.orgs_reporting as {{ dbt.type_bigint() }}) as orgs_reporting,
    cast(rated.orgs_sending_route_columns as {{ dbt.type_bigint() }}) as orgs_sending_route_columns,
    rated.is_provisional,
    coalesce(
        {{ is_small_count('rated.joiners_12m') }}
        or {{ is_small_count('rated.cohort_12m') }}
        or {{ is_small_count('rated.retained_org_12m') }}
        or {{ is_small_count('rated.retained_system_12m') }}
        or {{ is_small_count('rated.retire_and_return_12m') }},
        false
    ) as is_suppressed
from rated
left join organisations on rated.org_code = organisations.org_code
