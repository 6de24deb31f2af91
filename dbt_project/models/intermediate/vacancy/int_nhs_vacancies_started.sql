-- NHS vacancies filled in the month (outcome Started, start_date in the month), under the reporting
-- organisation (merger successor) and harmonised profession, with the days of each recruitment stage.
-- A stage is NULL when either of its dates is empty, or when it would be negative (stages out of order: a WARN
-- at ingestion), so it is left out of that stage's median. Days to hire cannot be negative: a start_date before
-- the approved_date is an ERROR at ingestion.
with vacancies as (
    select * from {{ ref('stg_nhs_recruitment__vacancies') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
    where sector = 'NHS'
),

started as (
    select *
    from vacancies
    where
        outcome = 'Started'
        and start_date is not null
        and start_date <= period
        and start_date > {{ add_months('period', -1) }}
),

durations as (
    select
        started.period,
        coalesce(organisations.reporting_org_code, started.org_code) as org_code,
        started.org_code as submitter_org_code,
        started.vacancy_reference,
        coalesce(crosswalk.profession, 'Unknown') as profession,
        started.staff_group,
        cast({{ dbt.datediff('started.approved_date', 'started.start_date', 'day') }} as {{ type_double() }})
            as days_to_hire,
        cast({{ dbt.datediff('started.approved_date', 'started.advert_date', 'day') }} as {{ type_double() }})
            as days_approval_to_advert,
        cast({{ dbt.datediff('started.advert_date', 'started.offer_date', 'day') }} as {{ type_double() }})
            as days_advert_to_offer,
        cast({{ dbt.datediff('started.offer_date', 'started.checks_complete_date', 'day') }} as {{ type_double() }})
            as days_offer_to_checks,
        cast({{ dbt.datediff('started.checks_complete_date', 'started.start_date', 'day') }} as {{ type_double() }})
            as days_checks_to_start,
        organisations.org_code is not null as is_register_member
    from started
    left join organisations on started.org_code = organisations.org_code
    left join crosswalk on {{ crosswalk_match('started.staff_group', 'crosswalk') }}
)

select
    period,
    org_code,
    submitter_org_code,
    vacancy_reference,
    profession,
    staff_group,
    days_to_hire,
    case when days_approval_to_advert >= 0 then days_approval_to_advert end as days_approval_to_advert,
    case when days_advert_to_offer >= 0 then days_advert_to_offer end as days_advert_to_offer,
    case when days_offer_to_checks >= 0 then days_offer_to_checks end as days_offer_to_checks,
    case when days_checks_to_start >= 0 then days_checks_to_start end as days_checks_to_start,
    is_register_member
from durations
