-- ASC vacancy, bank and agency and sickness per month, establishment and profession ('All' included),
-- unsuppressed. Vacancies: the establishments extract's job roles through the crosswalk. Staff in post
-- headcount: distinct people of int_staff_in_post (agency excluded). Workers in post (bank and agency
-- share): every worker of the month's extract with no leave_date or one after the month, agency included.
-- A figure exists only where the extracts it needs hold the establishment in that month.
-- Each month depends on that month's extracts only: incremental with no lookback.
{{ config(**incremental_by_period()) }}
{#- Incremental on DuckDB and PostgreSQL (decisions.md, Incremental refresh): a refresh rebuilds the months from
    rebuild_from (the earliest month whose input changed, set by orchestration/dbt.py). Without it
    an incremental run rebuilds every month; Spark stays a table. -#}
{%- set since = rebuild_since() %}
with job_roles as (
    select * from {{ ref('stg_asc_wds_establishments__job_roles') }}
    {% if since %}where period >= {{ since }}{% endif %}
),

workers as (
    select * from {{ ref('stg_asc_wds_workers__workers') }}
    where
        (leave_date is null or leave_date > period)
        {% if since %}and period >= {{ since }}{% endif %}
),

staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
    where
        sector = 'Adult social care'
        {% if since %}and period >= {{ since }}{% endif %}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
    where sector = 'Adult social care'
),

vacancy_rows as (
    select
        job_roles.period,
        coalesce(organisations.reporting_org_code, job_roles.org_code) as org_code,
        coalesce(crosswalk.profession, 'Unknown') as profession,
        job_roles.vacancies
    from job_roles
    left join organisations on job_roles.org_code = organisations.org_code
    left join crosswalk on {{ crosswalk_match('job_roles.job_role', 'crosswalk') }}
),

vacancy_rows_with_all as (
    {{ with_profession_all('vacancy_rows', ['period', 'org_code'], ['vacancies']) }}
),

vacancies as (
    select
        period,
        org_code,
        profession,
        cast(sum(vacancies) as {{ dbt.type_bigint() }}) as vacancies
    from vacancy_rows_with_all
    group by period, org_code, profession
),

worker_rows as (
    select
        workers.period,
        coalesce(organisations.reporting_org_code, workers.org_code) as org_code,
        coalesce(crosswalk.profession, 'Unknown') as profession,
        workers.worker_key,
        workers.contract_type,
        workers.days_sick_12m
    from workers
    left join organisations on workers.org_code = organisations.org_code
    left join crosswalk on {{ crosswalk_match('workers.main_job_role', 'crosswalk') }}
),

worker_rows_with_all as (
    {{ with_profession_all('worker_rows', ['period', 'org_code'], ['worker_key', 'contract_type', 'days_sick_12m']) }}
),

in_post as (
    select
        period,
        org_code,
        profession,
        count(distinct worker_key) as workers_in_post,
        count(distinct case when contract_type in ('Pool/Bank', 'Agency') then worker_key end)
            as bank_agency_workers,
        sum(case when coalesce(contract_type, '') <> 'Agency' then days_sick_12m end) as sick_days_sum,
        cast(
            sum(case when coalesce(contract_type, '') <> 'Agency' and days_sick_12m is not null then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as sick_days_workers
    from worker_rows_with_all
    group by period, org_code, profession
),

staff_in_post_with_all as (
    {{ with_profession_all('staff_in_post', ['period', 'org_code'], ['person_key']) }}
),

headcount as (
    select
        period,
        org_code,
        profession,
        count(distinct person_key) as staff_headcount
    from staff_in_post_with_all
    group by period, org_code, profession
),

extract_months as (
    select distinct period from workers
),

keys as (
    select
        period,
        org_code,
        profession
    from vacancies
    union
    select
        period,
        org_code,
        profession
    from in_post
    union
    select
        period,
        org_code,
        profession
    from headcount
),

organisation_months as (
    select distinct
        period,
        org_code,
        'establishments' as extract_name
    from vacancy_rows
    union all
    select distinct
        period,
        org_code,
        'workers' as extract_name
    from worker_rows
)

select
    keys.period,
    keys.org_code,
    keys.profession,
    case when has_establishment.org_code is not null then coalesce(vacancies.vacancies, 0) end as vacancies,
    case
        when has_workers_extract.period is not null then coalesce(headcount.staff_headcount, 0)
    end as staff_headcount,
    case when has_workers_extract.period is not null then coalesce(in_post.workers_in_post, 0) end
        as workers_in_post,
    case when has_workers_extract.period is not null then coalesce(in_post.bank_agency_workers, 0) end
        as bank_agency_workers,
    in_post.sick_days_sum,
    in_post.sick_days_workers
from keys
left join vacancies using (period, org_code, profession)
left join headcount using (period, org_code, profession)
left join in_post using (period, org_code, profession)
left join organisation_months as has_establishment
    on
        keys.period = has_establishment.period
        and keys.org_code = has_establishment.org_code
        and has_establishment.extract_name = 'establishments'
left join extract_months as has_workers_extract on keys.period = has_workers_extract.period
