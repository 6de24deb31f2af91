-- Joiners of NHS trusts and ASC establishments in the 12 months to period (W = M-11 .. M) by dimension
-- (origin, route, age_band, ethnic_group, gender, and disability for the NHS) and category, per organisation and
-- profession ('All' counts each person once), from int_joiner_origins; only where int_organisation_windows
-- finds the staff-in-post window complete (every month M-12 .. M), the rule of mart_turnover's joiners_12m,
-- so a dimension's categories add up to it. An empty category is 'Unknown'. residence_imd_decile counts only
-- the joiners whose partner sends the column (int_joiner_origins gives NULL for the others: no row), and its
-- category 'All' counts them (the total of its categories). UNSUPPRESSED: mart_joiners adds
-- the VCSE totals, the sector and System rows, the shares and disclosure control.
with joiners as (
    select * from {{ ref('int_joiner_origins') }}
),

org_windows as (
    select * from {{ ref('int_organisation_windows') }}
),

months as (
    select * from {{ ref('int_months') }}
),

routes as (
    select * from {{ ref('int_joiner_routes') }}
),

-- One row per joiner and profession, and one per joiner under 'All'.
joiner_professions as (
    select
        period,
        sector,
        org_code,
        person_key,
        profession
    from joiners
    union
    select
        period,
        sector,
        org_code,
        person_key,
        'All' as profession
    from joiners
),

people as (
    select distinct
        period,
        sector,
        org_code,
        person_key,
        origin,
        age_band,
        ethnic_group,
        gender,
        disability,
        residence_imd_decile
    from joiners
),

-- residence_imd_decile counts each joiner twice: under the decile and under the total 'All'.
imd_totals as (
    select true as is_total
    union all
    select false as is_total
),

-- One select per dimension (the loop's, then the decile and the route): a new dimension is one more.
categories as (
    {#- dimension: (its column, whether only the NHS collects it) -#}
    {%- set dimensions = {
        'origin': ('origin', false), 'age_band': ('age_band', false), 'ethnic_group': ('ethnic_group', false),
        'gender': ('gender', false), 'disability': ('disability', true),
    } %}
    {{ unpivot_dimensions('people', ['period', 'org_code', 'person_key'], dimensions) }}
    union all
    -- each decile, and their total 'All': the joiners whose partner sends the decile (the shares' denominator)
    select
        people.period,
        people.org_code,
        people.person_key,
        'residence_imd_decile' as dimension,
        case when totals.is_total then 'All' else people.residence_imd_decile end as category
    from people
    cross join imd_totals as totals
    where people.residence_imd_decile is not null
    union all
    -- A person joining in two professions by two routes counts once, under the first (metrics.md's order).
    select
        period,
        org_code,
        person_key,
        'route' as dimension,
        {{ route_name('min(route_rank)') }} as category
    from routes
    group by period, org_code, person_key
),

monthly as (
    select
        joiner_professions.period,
        joiner_professions.sector,
        joiner_professions.org_code,
        joiner_professions.profession,
        categories.dimension,
        coalesce(nullif(trim(categories.category), ''), 'Unknown') as category,
        count(*) as joiners
    from joiner_professions
    inner join categories using (period, org_code, person_key)
    group by
        joiner_professions.period,
        joiner_professions.sector,
        joiner_professions.org_code,
        joiner_professions.profession,
        categories.dimension,
        coalesce(nullif(trim(categories.category), ''), 'Unknown')
)

select
    months.period,
    monthly.sector,
    monthly.org_code,
    monthly.profession,
    monthly.dimension,
    monthly.category,
    sum(monthly.joiners) as joiners_12m
{{ from_complete_12m_windows('monthly', 'staff_window_complete') }}
group by months.period, monthly.sector, monthly.org_code, monthly.profession, monthly.dimension, monthly.category
