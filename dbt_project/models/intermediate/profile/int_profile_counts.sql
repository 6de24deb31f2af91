-- The workforce profile's counts, unsuppressed: one row per (period, sector, org_code, profession,
-- pay_band_group, dimension, category). Dimensions age_band, gender, ethnic_group, disability,
-- nationality_group, service_band, contract, pay_band_group and residence_imd_decile count the people of
-- int_profile_people once each, so a dimension's categories add up to the grain's people. The grain's
-- total row (dimension = category = 'All') adds the VCSE's paid headcount (its workbook has no person-level
-- breakdown: VCSE grains have this row only, at quarter-ends), so at System level the total is NHS, ASC and
-- VCSE and the dimensions NHS and ASC. The total row also carries the grain's people (people), those aged 55
-- and over, those with a residence IMD decile and those in deciles 1-2. orgs_reporting: organisations whose
-- staff the row counts.
{{ config(**incremental_by_period()) }}
{#- Incremental like int_profile_people: each month's counts are that month's people and VCSE quarter. -#}
{%- set since = rebuild_since() %}
{#- The grain of every count and of the total row. -#}
{%- set grain = ['period', 'sector', 'org_code', 'profession', 'pay_band_group'] %}
{#- A subquery, not a CTE: read ten times, a CTE is materialised whole (190 million rows at region, beyond
    DuckDB's memory limit); each read of the table is a scan of the columns it needs. -#}
{%- set people -%}
    (select * from {{ ref('int_profile_people') }}{% if since %} where period >= {{ since }}{% endif %})
{%- endset %}
with vcse as (
    select * from {{ ref('int_vcse_quarters') }}
    where paid_headcount is not null {% if since %}and period >= {{ since }}{% endif %}
),

reporting_organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

{# Counted per dimension and main organisation first, then summed. A count(distinct) over every person and
    dimension held a set per group (6.6 GB at ics scale); one aggregate over all nine dimensions unpivoted
    (190 million rows at region) could not finish under a 4 GB memory limit (issue #25). -#}
category_org_counts as (
    {#- dimension: (the people column holding its category, NHS only: none here) -#}
    {%- set dimensions = {
        'age_band': ('age_band', false), 'gender': ('gender', false), 'ethnic_group': ('ethnic_group', false),
        'disability': ('disability', false), 'nationality_group': ('nationality_group', false),
        'service_band': ('service_band', false), 'contract': ('contract', false),
        'pay_band_group': ('pay_band_category', false),
        'residence_imd_decile': (
            "coalesce(cast(residence_imd_decile as " ~ dbt.type_string() ~ "), 'Not collected')", false
        ),
    } %}
    {{ unpivot_dimensions(people ~ ' as people', grain + ['main_org_code'], dimensions, count_as='headcount') }}
),

category_counts as (
    select
        {{ grain | join(', ') }},
        dimension,
        category,
        sum(headcount) as headcount,
        count(*) as orgs_reporting
    from category_org_counts
    group by {{ grain | join(', ') }}, dimension, category
),

-- per main organisation first, then summed, as category_counts: count(distinct main_org_code) kept a set per
-- grain and ran out of memory at region (11.7 GiB, DuckDB cannot spill it)
people_org_totals as (
    select
        {{ grain | join(', ') }},
        main_org_code,
        count(*) as people,
        sum(case when age_band in ('55-64', '65+') then 1 else 0 end) as aged_55_plus,
        count(residence_imd_decile) as imd_stated,
        sum(case when residence_imd_decile <= 2 then 1 else 0 end) as imd_1_2
    from {{ people }} as people
    group by {{ grain | join(', ') }}, main_org_code
),

people_totals as (
    select
        {{ grain | join(', ') }},
        sum(people) as people,
        sum(aged_55_plus) as aged_55_plus,
        -- NULL, not 0, where no return of the grain sent a decile
        nullif(sum(imd_stated), 0) as imd_stated,
        case when sum(imd_stated) > 0 then sum(imd_1_2) end as imd_1_2,
        count(main_org_code) as orgs_reporting
    from people_org_totals
    group by {{ grain | join(', ') }}
),

vcse_organisations as (
    select
        vcse.period,
        'VCSE' as sector,
        vcse.org_code,
        vcse.profession,
        vcse.paid_headcount,
        reporting_organisations.org_code is not null as is_partner
    from vcse
    left join reporting_organisations on vcse.org_code = reporting_organisations.org_code
),

vcse_levels as (
    select 'VCSE' as grain_sector
    union all
    select 'System' as grain_sector
),

vcse_totals as (
    select
        period,
        sector,
        org_code,
        profession,
        paid_headcount as headcount,
        1 as orgs_reporting
    from vcse_organisations
    union all
    select
        vcse_organisations.period,
        levels.grain_sector as sector,
        'ICS' as org_code,
        vcse_organisations.profession,
        sum(vcse_organisations.paid_headcount) as headcount,
        count(distinct vcse_organisations.org_code) as orgs_reporting
    from vcse_organisations
    cross join vcse_levels as levels
    where vcse_organisations.is_partner
    group by vcse_organisations.period, levels.grain_sector, vcse_organisations.profession
),

grain_keys as (
    select {{ grain | join(', ') }} from people_totals
    union
    select
        period,
        sector,
        org_code,
        profession,
        'All' as pay_band_group
    from vcse_totals
),

totals as (
    select
        grain_keys.period,
        grain_keys.sector,
        grain_keys.org_code,
        grain_keys.profession,
        grain_keys.pay_band_group,
        'All' as dimension,
        'All' as category,
        coalesce(people_totals.people, 0) + coalesce(vcse_totals.headcount, 0) as headcount,
        coalesce(people_totals.orgs_reporting, 0) + coalesce(vcse_totals.orgs_reporting, 0) as orgs_reporting,
        people_totals.people,
        people_totals.aged_55_plus,
        people_totals.imd_stated,
        people_totals.imd_1_2
    from grain_keys
    left join people_totals using ({{ grain | join(', ') }})
    left join vcse_totals
        on
            grain_keys.period = vcse_totals.period
            and grain_keys.sector = vcse_totals.sector
            and grain_keys.org_code = vcse_totals.org_code
            and grain_keys.profession = vcse_totals.profession
            and grain_keys.pay_band_group = 'All'
)

select
    category_counts.period,
    category_counts.sector,
    category_counts.org_code,
    category_counts.profession,
    category_counts.pay_band_group,
    category_counts.dimension,
    category_counts.category,
    category_counts.headcount,
    people_totals.people,
    category_counts.orgs_reporting,
    cast(null as {{ dbt.type_bigint() }}) as aged_55_plus,
    cast(null as {{ dbt.type_bigint() }}) as imd_stated,
    cast(null as {{ dbt.type_bigint() }}) as imd_1_2
from category_counts
inner join people_totals using ({{ grain | join(', ') }})
union all
select
    period,
    sector,
    org_code,
    profession,
    pay_band_group,
    dimension,
    category,
    headcount,
    people,
    orgs_reporting,
    aged_55_plus,
    imd_stated,
    imd_1_2
from totals
