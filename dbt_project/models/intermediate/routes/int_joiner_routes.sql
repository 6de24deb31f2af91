-- The route of each joiner (metrics.md, "How people enter and stay"): one row per joiner, the grain of
-- int_joiners (period, sector, org_code, person_key, profession), with route in this order of precedence:
-- 'Retire and return' (the person left any partner with harmonised reason Retirement in the months
-- m-12 .. m of joining in m), 'Apprentice' (apprentice = Yes on the joining records of the profession),
-- 'International recruit' (international_recruit = Yes), else 'Other'. A return without the optional
-- columns gives 'Other' (has_route_columns false says so). route_rank orders the routes (1 = first).
with joiners as (
    select * from {{ ref('int_joiners') }}
),

staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
),

retirements as (
    select distinct
        period,
        person_key
    from {{ ref('int_leavers') }}
    where reason_category = 'Retirement' and is_partner
),

retired_before as (
    select distinct
        joiners.period,
        joiners.person_key
    from joiners
    inner join retirements
        on
            joiners.person_key = retirements.person_key
            and joiners.period >= retirements.period
            and retirements.period >= {{ add_months('joiners.period', -12) }}
),

flagged as (
    select
        joiners.*,
        staff_in_post.is_apprentice,
        staff_in_post.is_international_recruit,
        retired_before.person_key is not null as is_retire_and_return
    from joiners
    inner join staff_in_post
        on
            joiners.period = staff_in_post.period
            and joiners.org_code = staff_in_post.org_code
            and joiners.person_key = staff_in_post.person_key
            and joiners.profession = staff_in_post.profession
    left join retired_before
        on
            joiners.period = retired_before.period
            and joiners.person_key = retired_before.person_key
),

routed as (
    select
        flagged.*,
        case
            when flagged.is_retire_and_return then 1
            when flagged.is_apprentice then 2
            when flagged.is_international_recruit then 3
            else 4
        end as route_rank
    from flagged
)

select
    routed.*,
    {{ route_name('route_rank') }} as route,
    routed.is_apprentice is not null or routed.is_international_recruit is not null as has_route_columns
from routed
