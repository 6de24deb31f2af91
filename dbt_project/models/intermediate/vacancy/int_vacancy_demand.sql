-- "Where the demand is" (metrics.md): vacancies and staff in post per month, place, sector and job role,
-- and for the ICS (place 'ICS'), each sector on its own basis (never mixed). An organisation's place is its
-- register place (under its merger successor), else 'Unknown place'; organisations missing from the register
-- are kept out, as from every ICS total (so the places add up to the ICS). Primary disclosure control is decided
-- here because the demand rank is taken among the rates that are published: a count of posts or people from
-- 1 to 4 is small, and a headcount-basis rate over a small count or a denominator below 5 is not published
-- (FTE figures are not counts). vacancy_rate_12m_ago is the published rate of the same place, sector and job
-- role twelve month-ends before; change_12m the difference of the two; demand_rank is rank() by rate,
-- highest first, among the published rates of that period, place and sector. median_days_to_hire is the NHS
-- recruitment returns' median days from approval to start of the vacancies started in the month (months
-- whose recruitment returns are complete), where at least one was started.
with by_organisation as (
    select * from {{ ref('int_vacancies_by_job_role') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

job_roles as (
    select * from {{ ref('stg_reference__job_roles') }}
    where sector = 'NHS'
),

started as (
    select * from {{ ref('int_nhs_vacancies_started') }}
),

recruitment_complete as (
    select * from {{ ref('int_return_completeness') }}
    where source_name = 'nhs_recruitment' and is_complete
),

placed as (
    select
        by_organisation.*,
        coalesce(organisations.place, 'Unknown place') as place
    from by_organisation
    inner join organisations on by_organisation.org_code = organisations.org_code
),

-- every row twice: under its place, and under the ICS
scopes as (
    select 'place' as scope
    union all
    select 'ICS' as scope
),

with_ics as (
    select
        placed.*,
        case when scopes.scope = 'ICS' then 'ICS' else placed.place end as scoped_place
    from placed
    cross join scopes
),

summed as (
    select
        period,
        scoped_place as place,
        sector,
        job_role,
        profession,
        basis,
        sum(vacancies) as vacancies,
        sum(staff_in_post) as staff_in_post,
        count(distinct org_code) as orgs_reporting
    from with_ics
    group by period, scoped_place, sector, job_role, profession, basis
),

hires as (
    select
        started.period,
        coalesce(organisations.place, 'Unknown place') as place,
        coalesce(job_roles.job_role, 'Unknown') as job_role,
        started.days_to_hire
    from started
    inner join recruitment_complete
        on started.org_code = recruitment_complete.reporting_org_code and started.period = recruitment_complete.period
    inner join organisations on started.org_code = organisations.org_code
    left join job_roles on {{ crosswalk_key('started.staff_group') }} = job_roles.match_key
),

hires_with_ics as (
    select
        hires.period,
        hires.job_role,
        hires.days_to_hire,
        case when scopes.scope = 'ICS' then 'ICS' else hires.place end as place
    from hires
    cross join scopes
),

time_to_hire as (
    select
        period,
        place,
        job_role,
        'NHS' as sector,
        count(*) as vacancies_started,
        percentile_cont(0.5) within group (order by days_to_hire) as median_days_to_hire
    from hires_with_ics
    group by period, place, job_role
),

flagged as (
    select
        summed.*,
        time_to_hire.vacancies_started,
        time_to_hire.median_days_to_hire,
        summed.vacancies / nullif(summed.vacancies + summed.staff_in_post, 0) as unsuppressed_rate,
        coalesce(summed.basis = 'headcount' and {{ is_small_count('summed.vacancies') }}, false)
            as is_small_vacancies,
        coalesce(summed.basis = 'headcount' and {{ is_small_count('summed.staff_in_post') }}, false)
            as is_small_staff_in_post,
        coalesce({{ is_small_count('time_to_hire.vacancies_started') }}, false) as is_small_hires
    from summed
    left join time_to_hire
        on
            summed.period = time_to_hire.period
            and summed.place = time_to_hire.place
            and summed.sector = time_to_hire.sector
            and summed.job_role = time_to_hire.job_role
),

published as (
    select
        *,
        case
            when
                basis = 'headcount'
                and (is_small_vacancies or is_small_staff_in_post or vacancies + staff_in_post < 5)
                then null
            else unsuppressed_rate
        end as vacancy_rate
    from flagged
),

compared as (
    select
        published.*,
        earlier.vacancy_rate as vacancy_rate_12m_ago,
        published.vacancy_rate - earlier.vacancy_rate as change_12m,
        case
            when published.vacancy_rate is not null
                then rank() over (
                    partition by published.period, published.place, published.sector, published.vacancy_rate is null
                    order by published.vacancy_rate desc
                )
        end as demand_rank
    from published
    left join published as earlier
        on
            earlier.period = {{ add_months('published.period', -12) }}
            and published.place = earlier.place
            and published.sector = earlier.sector
            and published.job_role = earlier.job_role
)

select
    period,
    place,
    sector,
    job_role,
    profession,
    basis,
    vacancies,
    staff_in_post,
    unsuppressed_rate,
    vacancy_rate,
    vacancy_rate_12m_ago,
    change_12m,
    demand_rank,
    vacancies_started,
    median_days_to_hire,
    orgs_reporting,
    is_small_vacancies,
    is_small_staff_in_post,
    is_small_hires,
    (
        is_small_vacancies
        or is_small_staff_in_post
        or is_small_hires
        or (vacancy_rate is null and unsuppressed_rate is not null)
    ) as is_suppressed
from compared
