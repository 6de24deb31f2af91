-- Cohort retention (metrics.md, "How people enter and stay"): for each month-end M, the joiners of
-- organisation O in the twelve months M-23 .. M-12, each person once per (O, profession) at their first
-- joining month j in that window (profession 'All': once per O, int_joinings_by_route), with the route of
-- that joining, and whether they are in O's staff in post exactly twelve month-ends later (j+12;
-- is_retained_org) and in any partner's staff snapshot then, NHS bank included (is_retained_system, a move
-- to another partner is retained). j+12 <= M, so a cohort of M reads no snapshot after M. Whether O's
-- returns cover M-24 .. M is applied by int_entry_route_figures.
-- One row per (period, sector, org_code, profession, person_key).
with joinings as (
    select * from {{ ref('int_joinings_by_route') }}
),

months as (
    select * from {{ ref('int_months') }}
),

staff_in_post as (
    select distinct
        period,
        org_code,
        person_key
    from {{ ref('int_staff_in_post') }}
),

people_in_system as (
    select * from {{ ref('int_people_in_system') }}
),

in_window as (
    select
        months.period,
        joinings.sector,
        joinings.org_code,
        joinings.profession,
        joinings.person_key,
        joinings.route,
        joinings.period as joined_period,
        row_number() over (
            partition by months.period, joinings.org_code, joinings.profession, joinings.person_key
            order by joinings.period
        ) as joining_rank
    from months
    inner join joinings
        on
            joinings.period >= {{ add_months('months.period', -23) }}
            and joinings.period <= {{ add_months('months.period', -12) }}
),

cohort as (
    select
        period,
        sector,
        org_code,
        profession,
        person_key,
        route,
        joined_period,
        {{ add_months('joined_period', 12) }} as retention_period
    from in_window
    where joining_rank = 1
)

select
    cohort.period,
    cohort.sector,
    cohort.org_code,
    cohort.profession,
    cohort.person_key,
    cohort.route,
    cohort.joined_period,
    cohort.retention_period,
    staff_in_post.person_key is not null as is_retained_org,
    people_in_system.person_key is not null as is_retained_system
from cohort
left join staff_in_post
    on
        cohort.retention_period = staff_in_post.period
        and cohort.org_code = staff_in_post.org_code
        and cohort.person_key = staff_in_post.person_key
left join people_in_system
    on cohort.retention_period = people_in_system.period and cohort.person_key = people_in_system.person_key
