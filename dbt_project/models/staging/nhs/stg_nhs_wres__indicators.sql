-- Workforce Race Equality Standard counts as received (current accepted version of each trust's annual file).
with source as (
    select * from {{ source('raw', 'nhs_wres') }}
),

renamed as (
    select
        trim(org_code) as org_code,
        cast(year as {{ dbt.type_int() }}) as wres_year,
        trim(indicator) as indicator,
        trim({{ quoted("group") }}) as ethnic_group,
        cast(numerator as {{ dbt.type_bigint() }}) as numerator,
        cast(denominator as {{ dbt.type_bigint() }}) as denominator,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
