-- ASC workforce data set extract: one row per worker record per monthly extract (establishment_id is the
-- organisation code).
with source as (
    select * from {{ source('raw', 'asc_wds_workers') }}
),

renamed as (
    select
        trim(establishment_id) as org_code,
        {{ month_end('return_period') }} as period,
        worker_key,
        person_key,
        trim(main_job_role) as main_job_role,
        trim(contract_type) as contract_type,
        trim(zero_hours) as zero_hours,
        cast(contracted_hours as {{ type_double() }}) as contracted_hours,
        cast(start_date_in_role as date) as start_date_in_role,
        cast(start_date_in_sector as date) as start_date_in_sector,
        cast(leave_date as date) as leave_date,
        nullif(trim(leave_reason), '') as leave_reason,
        trim(gender) as gender,
        trim(ethnic_group) as ethnic_group,
        trim(age_band) as age_band,
        trim(nationality_group) as nationality_group,
        cast(days_sick_12m as {{ type_double() }}) as days_sick_12m,
        nullif(trim(apprentice), '') as apprentice,
        nullif(trim(international_recruit), '') as international_recruit,
        cast(residence_imd_decile as integer) as residence_imd_decile,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
