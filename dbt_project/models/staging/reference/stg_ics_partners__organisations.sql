-- The register's latest accepted version is current: earlier periods are history.
with source as (
    select
        *,
        max(return_period) over () as latest_period
    from {{ source('raw', 'ics_partners') }}
),

renamed as (
    select
        trim(org_code) as org_code,
        trim(org_name) as org_name,
        trim(sector) as sector,
        trim(org_type) as org_type,
        nullif(trim(successor_code), '') as successor_code,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        coalesce(trim(expected_returns), '') as expected_returns,
        nullif(trim(place), '') as place,
        nullif(upper(trim(local_authority_code)), '') as local_authority_code
    from source
    where return_period = latest_period
)

select * from renamed
