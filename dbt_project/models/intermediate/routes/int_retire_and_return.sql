-- Retire and return seen from the leaving side (metrics.md, "How people enter and stay"): one row per
-- retirement leaver of a partner (int_leavers, harmonised reason Retirement), with has_returned when the
-- person is in any partner's staff snapshot, NHS bank included, at one of the twelve month-ends m .. m+11
-- after leaving in month m, and is_provisional while the system's snapshots up to m+11 are not all in (the
-- latest month any partner's staff return reached). A return inside the leaving month to the same
-- organisation is no leaving at all (KPI 3), so these are the returns that cross a month-end.
with retirements as (
    select * from {{ ref('int_leavers') }}
    where reason_category = 'Retirement' and is_partner
),

people_in_system as (
    select * from {{ ref('int_people_in_system') }}
),

last_snapshot as (
    select max(period) as last_period
    from people_in_system
),

returned as (
    select distinct
        retirements.period,
        retirements.org_code,
        retirements.person_key,
        retirements.leaving_date
    from retirements
    inner join people_in_system
        on
            retirements.person_key = people_in_system.person_key
            and retirements.period <= people_in_system.period
            and people_in_system.period <= {{ add_months('retirements.period', 11) }}
)

select
    retirements.period,
    retirements.sector,
    retirements.org_code,
    retirements.person_key,
    retirements.leaving_date,
    retirements.profession,
    returned.person_key is not null as has_returned,
    last_snapshot.last_period is null
    or {{ add_months('retirements.period', 11) }} > last_snapshot.last_period as is_provisional
from retirements
cross join last_snapshot
left join returned using (period, org_code, person_key, leaving_date)
