-- Where each joiner of int_joiners came from (metrics.md, "Beside the seven: where joiners come from"), one
-- row per (period, sector, org_code, person_key, profession) of int_joiners, with its origin, in this order:
-- 'Another partner' when the person is in another register partner's staff in post at any month-end
-- m-3 .. m-1 (a move inside the system); else 'Rejoining' when in the organisation's own staff in post at any
-- month-end m-13 .. m-2; else, from the dates of the person's records in the organisation's return of m
-- (earliest of each), 'Elsewhere in the NHS' when ESR's nhs_start_date is before the start in the
-- organisation, 'Elsewhere in social care' when ASC's start_date_in_sector is before start_date_in_role,
-- 'New to sector' when the two dates are equal, and 'Unknown' otherwise (a date empty or out of order).
-- residence_imd_decile (anchor employment): the decile on the person's staff-in-post records in the
-- organisation's return of m ('1' .. '10', the lowest where two differ); 'Unknown' when none has one but one
-- comes from a return that carries the column (any of its staff-in-post records has a decile); NULL when no
-- return of the person carries it (the partner does not send the column).
with joiners as (
    select * from {{ ref('int_joiners') }}
),

staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
),

esr as (
    select * from {{ ref('stg_nhs_esr_staff__assignments') }}
),

asc_workers as (
    select * from {{ ref('stg_asc_wds_workers__workers') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

assignments as (
    select * from {{ ref('int_staff_in_post_assignments') }}
),

joiner_people as (
    select distinct
        period,
        sector,
        org_code,
        person_key,
        service_start_date
    from joiners
),

sip_people as (
    select distinct
        period,
        org_code,
        person_key,
        is_partner
    from staff_in_post
),

-- Where the person was at the month-ends m-13 .. m-1: in another partner's staff in post in m-3 .. m-1, in
-- the organisation's own in m-13 .. m-2.
earlier_posts as (
    select
        joiner_people.period,
        joiner_people.org_code,
        joiner_people.person_key,
        max(
            case
                when
                    sip_people.org_code <> joiner_people.org_code
                    and sip_people.is_partner
                    and sip_people.period >= {{ add_months('joiner_people.period', -3) }}
                    then 1
                else 0
            end
        ) = 1 as was_at_another_partner,
        max(
            case
                when
                    sip_people.org_code = joiner_people.org_code
                    and sip_people.period <= {{ add_months('joiner_people.period', -2) }}
                    then 1
                else 0
            end
        ) = 1 as was_here_before
    from joiner_people
    inner join sip_people
        on
            joiner_people.person_key = sip_people.person_key
            and sip_people.period >= {{ add_months('joiner_people.period', -13) }}
            and sip_people.period <= {{ add_months('joiner_people.period', -1) }}
    group by joiner_people.period, joiner_people.org_code, joiner_people.person_key
),

-- The earliest start in the sector on the person's records in the organisation's return of the month.
sector_starts as (
    {#- records: their column of the start in the sector -#}
    {%- for records, start_date in [('esr', 'nhs_start_date'), ('asc_workers', 'start_date_in_sector')] %}
        {%- set org_code = 'coalesce(organisations.reporting_org_code, ' ~ records ~ '.org_code)' %}
        select
            {{ records }}.period,
            {{ org_code }} as org_code,
            {{ records }}.person_key,
            min({{ records }}.{{ start_date }}) as sector_start_date
        from {{ records }}
        left join organisations on {{ records }}.org_code = organisations.org_code
        group by {{ records }}.period, {{ org_code }}, {{ records }}.person_key
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- The returns (organisation as sent, month) that carry residence_imd_decile.
imd_returns as (
    select
        period,
        source_sector,
        source_org_code
    from assignments
    group by period, source_sector, source_org_code
    having count(residence_imd_decile) > 0
),

deciles as (
    select
        joiner_people.period,
        joiner_people.org_code,
        joiner_people.person_key,
        min(assignments.residence_imd_decile) as decile,
        count(imd_returns.source_org_code) > 0 as is_collected
    from joiner_people
    inner join assignments using (period, org_code, person_key)
    left join imd_returns using (period, source_sector, source_org_code)
    group by joiner_people.period, joiner_people.org_code, joiner_people.person_key
),

origins as (
    select
        joiner_people.period,
        joiner_people.org_code,
        joiner_people.person_key,
        case
            when earlier_posts.was_at_another_partner then 'Another partner'
            when earlier_posts.was_here_before then 'Rejoining'
            when sector_starts.sector_start_date < joiner_people.service_start_date and joiner_people.sector = 'NHS'
                then 'Elsewhere in the NHS'
            when sector_starts.sector_start_date < joiner_people.service_start_date then 'Elsewhere in social care'
            when sector_starts.sector_start_date = joiner_people.service_start_date then 'New to sector'
            else 'Unknown'
        end as origin,
        case
            when deciles.decile is not null then cast(deciles.decile as {{ dbt.type_string() }})
            when deciles.is_collected then 'Unknown'
        end as residence_imd_decile
    from joiner_people
    left join earlier_posts using (period, org_code, person_key)
    left join sector_starts using (period, org_code, person_key)
    left join deciles using (period, org_code, person_key)
)

select
    joiners.*,
    origins.origin,
    origins.residence_imd_decile
from joiners
inner join origins using (period, org_code, person_key)
