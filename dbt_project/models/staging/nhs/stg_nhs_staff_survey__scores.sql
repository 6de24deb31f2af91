-- NHS Staff Survey results as received (current accepted version of each trust's annual file).
with source as (
    select * from {{ source('raw', 'nhs_staff_survey') }}
),

renamed as (
    select
        trim(org_code) as org_code,
        cast(survey_year as {{ dbt.type_int() }}) as survey_year,
        trim(measure) as measure,
        trim(group_type) as group_type,
        trim(group_value) as group_value,
        cast(score as {{ type_double() }}) as score,
        cast(responses as {{ dbt.type_bigint() }}) as responses,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
