-- Leavers in the 12 months to period by dimension (reason, destination, age_band, ethnic_group,
-- disability, service_band) and category, per organisation, sector and System (org_code 'ICS') and
-- profession ('All' included), from int_leavers_by_level (which sums UNSUPPRESSED organisation counts).
-- Here: the share of the dimension's leavers in the row's grain, and disclosure control: leavers_12m from
-- 1 to 4 and shares over such counts (or denominators below 5) are NULL.
with levels as (
    select * from {{ ref('int_leavers_by_level') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
)

select
    levels.period,
    levels.sector,
    levels.org_code,
    case when levels.org_code = 'ICS' then 'Whole system (ICS)' else organisations.org_name end as org_name,
    levels.profession,
    levels.dimension,
    levels.category,
    cast({{ suppress_count('levels.leavers_12m') }} as {{ dbt.type_bigint() }}) as leavers_12m,
    {{
        suppress_people_rate(
            safe_ratio('levels.leavers_12m', 'levels.total_leavers_12m'),
            'levels.leavers_12m',
            'levels.total_leavers_12m'
        )
    }} as share_of_leavers,
    cast(levels.orgs_reporting as {{ dbt.type_bigint() }}) as orgs_reporting,
    cast(levels.orgs_expected as {{ dbt.type_bigint() }}) as orgs_expected,
    levels.is_provisional,
    coalesce(
        {{ is_small_rate('levels.leavers_12m', 'levels.total_leavers_12m') }},
        false
    ) as is_suppressed
from levels
left join organisations on levels.org_code = organisations.org_code
