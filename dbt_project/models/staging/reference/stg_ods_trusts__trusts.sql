-- The ODS 'etr' list of NHS trusts; the latest accepted file is current, earlier ones are history.
with source as (
    select
        *,
        max(return_period) over () as latest_period
    from {{ source('raw', 'ods_trusts') }}
),

renamed as (
    select
        trim(org_code) as org_code,
        trim(org_name) as org_name,
        trim(nhse_region_code) as region_code,
        trim(icb_code) as icb_code,
        cast(open_date as date) as open_date,
        cast(close_date as date) as close_date,
        {{ month_end('return_period') }} as file_period,
        load_id,
        file_name,
        source_row
    from source
    where return_period = latest_period
)

select * from renamed
