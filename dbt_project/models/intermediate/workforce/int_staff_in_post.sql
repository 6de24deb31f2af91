-- Staff in post (metrics.md) of NHS trusts and ASC establishments, one row per (period, sector,
-- org_code, person_key, profession). NHS: Permanent and Fixed Term Temp assignments of the month's ESR
-- snapshot (Bank excluded); ASC: workers of the month's extract with no leave_date or one after the month,
-- not Agency. Organisations are reported under their final merger successor. Each month depends on that
-- month's returns only: no lookback.
{{ config(**incremental_by_period()) }}
{#- Incremental on DuckDB and PostgreSQL (decisions.md, Incremental refresh): a refresh rebuilds the months from
    the var rebuild_from (the earliest month whose input changed, set by orchestration/dbt.py) minus 0.
    Without the var an incremental run rebuilds every month; Spark stays a table. -#}
{%- set since = rebuild_since() %}
with esr as (
    select * from {{ ref('stg_nhs_esr_staff__assignments') }}
    where
        assignment_category in ('Permanent', 'Fixed Term Temp')
        {% if since %}and period >= {{ since }}{% endif %}
),

asc_workers as (
    select * from {{ ref('stg_asc_wds_workers__workers') }}
    where
        (leave_date is null or leave_date > period)
        and coalesce(contract_type, '') <> 'Agency'
        {% if since %}and period >= {{ since }}{% endif %}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

reporting_organisations as (
    select
        org_code,
        sector
    from organisations
    where org_code = reporting_org_code
),

crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
),

occupation_codes as (
    select * from {{ ref('occupation_code_crosswalk') }}
),

ethnic_groups as (
    select * from {{ ref('ethnic_groups') }}
),

assignments as (
    select
        esr.period,
        'NHS' as source_sector,
        coalesce(organisations.reporting_org_code, esr.org_code) as org_code,
        esr.org_code as source_org_code,
        esr.person_key,
        esr.assignment_key as record_key,
        coalesce(crosswalk.profession, occupation_codes.profession, 'Unknown') as profession,
        esr.fte,
        esr.assignment_start_date as start_date,
        esr.age_band,
        esr.gender,
        esr.ethnic_group,
        esr.disability,
        esr.apprentice,
        esr.international_recruit
    from esr
    left join organisations on esr.org_code = organisations.org_code
    left join crosswalk on crosswalk.sector = 'NHS' and {{ crosswalk_match('esr.staff_group', 'crosswalk') }}
    -- a staff group empty or not in the crosswalk: the occupation code's leading character
    left join occupation_codes
        on
            crosswalk.profession is null
            and upper(substr(esr.occupation_code, 1, 1)) = occupation_codes.leading_character
    union all
    select
        asc_workers.period,
        'Adult social care' as source_sector,
        coalesce(organisations.reporting_org_code, asc_workers.org_code) as org_code,
        asc_workers.org_code as source_org_code,
        asc_workers.person_key,
        asc_workers.worker_key as record_key,
        coalesce(crosswalk.profession, 'Unknown') as profession,
        case
            when asc_workers.contracted_hours is null then 0
            when asc_workers.contracted_hours / 37.5 > 1 then 1
            else asc_workers.contracted_hours / 37.5
        end as fte,
        asc_workers.start_date_in_role as start_date,
        asc_workers.age_band,
        asc_workers.gender,
        asc_workers.ethnic_group,
        cast(null as {{ dbt.type_string() }}) as disability,
        asc_workers.apprentice,
        asc_workers.international_recruit
    from asc_workers
    left join organisations on asc_workers.org_code = organisations.org_code
    left join crosswalk
        on crosswalk.sector = 'Adult social care' and {{ crosswalk_match('asc_workers.main_job_role', 'crosswalk') }}
),

ranked as (
    select
        assignments.*,
        min(assignments.start_date)
            over (partition by assignments.period, assignments.org_code, assignments.person_key)
            as service_start_date,
        row_number() over (
            partition by assignments.period, assignments.org_code, assignments.person_key
            order by assignments.start_date desc, assignments.record_key desc
        ) as person_rank
    from assignments
),

person_attributes as (
    select
        period,
        org_code,
        person_key,
        age_band,
        gender,
        ethnic_group,
        disability
    from ranked
    where person_rank = 1
),

by_profession as (
    select
        period,
        org_code,
        person_key,
        profession,
        min(source_sector) as source_sector,
        min(source_org_code) as source_org_code,
        sum(fte) as fte,
        min(service_start_date) as service_start_date,
        count(*) as records,
        -- the optional route columns (returns.md): Yes on any of the profession's records; NULL when no
        -- record carries a value (a return without the column)
        max(case when apprentice = 'Yes' then 1 when apprentice is not null then 0 end) as apprentice_flag,
        max(case when international_recruit = 'Yes' then 1 when international_recruit is not null then 0 end)
            as international_recruit_flag
    from ranked
    group by period, org_code, person_key, profession
)

select
    by_profession.period,
    coalesce(reporting_organisations.sector, by_profession.source_sector) as sector,
    by_profession.org_code,
    by_profession.source_org_code,
    by_profession.person_key,
    by_profession.profession,
    cast(by_profession.fte as {{ type_double() }}) as fte,
    by_profession.records,
    by_profession.service_start_date,
    person_attributes.age_band,
    person_attributes.gender,
    person_attributes.ethnic_group,
    person_attributes.disability,
    ethnic_groups.is_ethnic_minority,
    reporting_organisations.org_code is not null as is_partner,
    by_profession.apprentice_flag = 1 as is_apprentice,
    by_profession.international_recruit_flag = 1 as is_international_recruit
from by_profession
inner join person_attributes
    on
        by_profession.period = person_attributes.period
        and by_profession.org_code = person_attributes.org_code
        and by_profession.person_key = person_attributes.person_key
left join reporting_organisations on by_profession.org_code = reporting_organisations.org_code
left join ethnic_groups on person_attributes.ethnic_group = ethnic_groups.ethnic_group
