with source as (
    select * from {{ source('raw', 'nhs_pwr') }}
),

renamed as (
    select
        trim(org_code) as org_code,
        {{ month_end('return_period') }} as period,
        trim(staff_group) as staff_group,
        cast(establishment_fte as {{ type_double() }}) as establishment_fte,
        cast(substantive_fte as {{ type_double() }}) as substantive_fte,
        cast(bank_fte as {{ type_double() }}) as bank_fte,
        cast(agency_fte as {{ type_double() }}) as agency_fte,
        cast(vacancy_fte as {{ type_double() }}) as vacancy_fte,
        cast(sickness_fte_days_lost as {{ type_double() }}) as sickness_fte_days_lost,
        cast(sickness_fte_days_available as {{ type_double() }}) as sickness_fte_days_available,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
