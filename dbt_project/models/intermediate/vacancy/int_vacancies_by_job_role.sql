-- Vacancies and staff in post per month, organisation and job role ("Where the demand is", metrics.md),
-- unsuppressed, on each sector's own basis: NHS nhs_pwr vacancy_fte and substantive_fte by staff group
-- (FTE); ASC asc_wds_establishments vacancies by job_role and the staff-in-post headcount of workers with
-- that main_job_role (posts); VCSE the Workforce sheet's vacancies and paid_headcount by role category
-- (posts). Values map through stg_reference__job_roles (macro crosswalk_key); a value not in it is the job
-- role 'Unknown'. Organisations are under their merger successor; place and the ICS are a later mart's.
with job_roles as (
    select * from {{ ref('stg_reference__job_roles') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

pwr as (
    select * from {{ ref('stg_nhs_pwr__staff_groups') }}
),

establishments as (
    select * from {{ ref('stg_asc_wds_establishments__job_roles') }}
),

asc_workers as (
    select * from {{ ref('stg_asc_wds_workers__workers') }}
    where (leave_date is null or leave_date > period) and coalesce(contract_type, '') <> 'Agency'
),

vcse as (
    select * from {{ ref('stg_vcse_returns__workforce') }}
),

source_rows as (
    select
        pwr.period,
        'NHS' as sector,
        pwr.org_code,
        pwr.staff_group as source_value,
        pwr.vacancy_fte as vacancies,
        pwr.substantive_fte as staff_in_post,
        cast(null as {{ dbt.type_string() }}) as person_key
    from pwr
    union all
    select
        period,
        'Adult social care' as sector,
        org_code,
        job_role as source_value,
        cast(vacancies as {{ type_double() }}) as vacancies,
        cast(null as {{ type_double() }}) as staff_in_post,
        cast(null as {{ dbt.type_string() }}) as person_key
    from establishments
    union all
    select
        period,
        'Adult social care' as sector,
        org_code,
        main_job_role as source_value,
        cast(null as {{ type_double() }}) as vacancies,
        cast(null as {{ type_double() }}) as staff_in_post,
        person_key
    from asc_workers
    union all
    select
        period,
        'VCSE' as sector,
        org_code,
        role_category as source_value,
        cast(vacancies as {{ type_double() }}) as vacancies,
        cast(paid_headcount as {{ type_double() }}) as staff_in_post,
        cast(null as {{ dbt.type_string() }}) as person_key
    from vcse
),

mapped as (
    select
        source_rows.period,
        source_rows.sector,
        coalesce(organisations.reporting_org_code, source_rows.org_code) as org_code,
        coalesce(job_roles.job_role, 'Unknown') as job_role,
        coalesce(job_roles.profession, 'Unknown') as profession,
        source_rows.vacancies,
        source_rows.staff_in_post,
        source_rows.person_key
    from source_rows
    left join organisations on source_rows.org_code = organisations.org_code
    left join job_roles
        on
            source_rows.sector = job_roles.sector
            and {{ crosswalk_key('source_rows.source_value') }} = job_roles.match_key
)

select
    period,
    sector,
    org_code,
    job_role,
    profession,
    case when sector = 'NHS' then 'fte' else 'headcount' end as basis,
    sum(vacancies) as vacancies,
    case
        when sector = 'Adult social care' then cast(count(distinct person_key) as {{ type_double() }})
        else sum(staff_in_post)
    end as staff_in_post
from mapped
group by period, sector, org_code, job_role, profession
