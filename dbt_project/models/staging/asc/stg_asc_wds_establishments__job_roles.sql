-- ASC-WDS establishments extract: one row per establishment and job role per month, with its vacancies.
with source as (
    select * from {{ source('raw', 'asc_wds_establishments') }}
),

renamed as (
    select
        {{ month_end('return_period') }} as period,
        trim(establishment_id) as org_code,
        trim(establishment_name) as establishment_name,
        nullif(trim(cqc_location_id), '') as cqc_location_id,
        trim(local_authority_code) as local_authority_code,
        trim(sector) as provider_sector,
        trim(main_service) as main_service,
        trim(job_role) as job_role,
        vacancies,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
