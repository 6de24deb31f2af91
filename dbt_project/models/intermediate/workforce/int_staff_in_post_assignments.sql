-- Staff in post (metrics.md) at record level: one row per SIP assignment (NHS) or worker record (ASC) of
-- each month. NHS: Permanent and Fixed Term Temp assignments of the month's ESR snapshot (Bank excluded);
-- ASC: workers of the month's extract with no leave_date or one after the month, not Agency. Organisations
-- are reported under their final merger successor; profession through the crosswalk (NHS: else the
-- occupation code). `contract`: NHS assignment_category; ASC contract_type, 'Zero-hours' where zero_hours =
-- Yes (metrics.md, "Who the workforce is"). int_staff_in_post and the workforce profile read it.
{{ config(materialized='view') }}
with esr as (
    select * from {{ ref('stg_nhs_esr_staff__assignments') }}
    where
        assignment_category in ('Permanent', 'Fixed Term Temp')
),

asc_workers as (
    select * from {{ ref('stg_asc_wds_workers__workers') }}
    where
        (leave_date is null or leave_date > period)
        and coalesce(contract_type, '') <> 'Agency'
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
),

occupation_codes as (
    select * from {{ ref('occupation_code_crosswalk') }}
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
        esr.nationality_group,
        esr.residence_imd_decile,
        esr.apprentice,
        esr.international_recruit,
        esr.afc_band,
        esr.assignment_category as contract
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
        asc_workers.nationality_group,
        asc_workers.residence_imd_decile,
        asc_workers.apprentice,
        asc_workers.international_recruit,
        cast(null as {{ dbt.type_string() }}) as afc_band,
        case when asc_workers.zero_hours = 'Yes' then 'Zero-hours' else asc_workers.contract_type end as contract
    from asc_workers
    left join organisations on asc_workers.org_code = organisations.org_code
    left join crosswalk
        on crosswalk.sector = 'Adult social care' and {{ crosswalk_match('asc_workers.main_job_role', 'crosswalk') }}
)

select * from assignments
