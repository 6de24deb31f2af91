-- ESR staff in post: one row per assignment in the month-end snapshot of the current accepted return.
with source as (
    select * from {{ source('raw', 'nhs_esr_staff') }}
),

renamed as (
    select
        {{ esr_assignment_columns() }},
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
