-- ESR leavers: one row per assignment ended in the month of the current accepted return.
with source as (
    select * from {{ source('raw', 'nhs_esr_leavers') }}
),

renamed as (
    select
        {{ esr_assignment_columns() }},
        cast(leaving_date as date) as leaving_date,
        nullif(trim(reason_for_leaving), '') as reason_for_leaving,
        nullif(trim(destination), '') as destination,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
