-- CQC ratings snapshots as received: one row per month, location and key question (domain).
with source as (
    select * from {{ source('raw', 'cqc_ratings') }}
),

renamed as (
    select
        {{ month_end('return_period') }} as period,
        trim(location_id) as location_id,
        trim(provider_id) as provider_id,
        trim(location_name) as location_name,
        nullif(trim(ods_code), '') as ods_code,
        trim(domain) as domain,
        trim(rating) as rating,
        cast(publication_date as date) as publication_date,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
