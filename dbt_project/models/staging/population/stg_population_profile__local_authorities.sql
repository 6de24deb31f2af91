-- ONS Census 2021 TS021: usual residents of each lower-tier local authority in total and in the five
-- top-level ethnic groups; the latest accepted year is current.
with source as (
    select
        *,
        max(return_period) over () as latest_period
    from {{ source('raw', 'population_profile') }}
),

renamed as (
    select
        cast(date as integer) as population_year,
        trim(geography_code) as local_authority_code,
        trim(geography) as local_authority_name,
        cast(all_usual_residents as {{ dbt.type_bigint() }}) as all_usual_residents,
        cast(white as {{ dbt.type_bigint() }}) as white,
        cast(mixed as {{ dbt.type_bigint() }}) as mixed,
        cast(asian as {{ dbt.type_bigint() }}) as asian,
        cast(black as {{ dbt.type_bigint() }}) as black,
        cast(other as {{ dbt.type_bigint() }}) as other,
        load_id,
        file_name,
        source_row
    from source
    where return_period = latest_period
)

select * from renamed
