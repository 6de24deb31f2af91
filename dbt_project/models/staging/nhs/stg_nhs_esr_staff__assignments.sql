-- ESR staff in post: one row per assignment in the month-end snapshot of the current accepted return.
with source as (
    select * from {{ source('raw', 'nhs_esr_staff') }}
),

renamed as (
    select
        trim(org_code) as org_code,
        {{ month_end('return_period') }} as period,
        person_key,
        employee_key,
        assignment_key,
        trim(staff_group) as staff_group,
        nullif(trim(occupation_code), '') as occupation_code,
        trim(afc_band) as afc_band,
        trim(assignment_category) as assignment_category,
        cast(fte as {{ type_double() }}) as fte,
        cast(assignment_start_date as date) as assignment_start_date,
        cast(nhs_start_date as date) as nhs_start_date,
        trim(age_band) as age_band,
        trim(gender) as gender,
        trim(ethnic_group) as ethnic_group,
        trim(disability) as disability,
        nullif(trim(apprentice), '') as apprentice,
        nullif(trim(international_recruit), '') as international_recruit,
        nullif(trim(nationality_group), '') as nationality_group,
        cast(residence_imd_decile as integer) as residence_imd_decile,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
