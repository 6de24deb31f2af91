-- Joinings with their route, per profession and for 'All': one row per (period, sector, org_code,
-- person_key, profession), 'All' included. Under 'All' a person joining in two professions at once counts
-- once, by the first route in the order of precedence (route_rank), so routes add up to 'All'.
-- has_route_columns: the joining records carried the optional apprentice / international_recruit values.
with joiner_routes as (
    select * from {{ ref('int_joiner_routes') }}
),

joinings as (
    select
        period,
        sector,
        org_code,
        person_key,
        profession,
        route_rank,
        has_route_columns
    from joiner_routes
    union all
    select
        period,
        sector,
        org_code,
        person_key,
        'All' as profession,
        min(route_rank) as route_rank,
        max(case when has_route_columns then 1 else 0 end) = 1 as has_route_columns
    from joiner_routes
    group by period, sector, org_code, person_key
)

select
    joinings.*,
    {{ route_name('route_rank') }} as route
from joinings
