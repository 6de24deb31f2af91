-- Who is working in the system at each month-end (metrics.md, "How people enter and stay"): one row per
-- (period, person_key) in any partner's staff snapshot, NHS bank assignments included: partner staff in post
-- (int_staff_in_post) and partner ESR assignments of category Bank. Read by system retention and retire and
-- return.
with staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
    where is_partner
),

bank as (
    select * from {{ ref('stg_nhs_esr_staff__assignments') }}
    where assignment_category = 'Bank'
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

reporting_organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

bank_people as (
    select
        bank.period,
        bank.person_key
    from bank
    inner join organisations on bank.org_code = organisations.org_code
    inner join reporting_organisations on organisations.reporting_org_code = reporting_organisations.org_code
),

people as (
    select
        period,
        person_key
    from staff_in_post
    union all
    select
        period,
        person_key
    from bank_people
)

select distinct
    period,
    person_key
from people
