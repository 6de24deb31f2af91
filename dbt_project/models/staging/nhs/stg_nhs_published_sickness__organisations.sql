-- NHS England's published sickness absence file as received: every organisation in England, one
-- current file per month folder. Kept as published; the rate is recomputed downstream.
with source as (
    select * from {{ source('raw', 'nhs_published_sickness') }}
),

renamed as (
    select
        {{ month_end('return_period') }} as period,
        cast(date as date) as published_date,
        trim(nhse_region_code) as region_code,
        trim(nhse_region_name) as region_name,
        trim(ics_code) as ics_code,
        trim(ics_name) as ics_name,
        trim(org_code) as org_code,
        trim(org_name) as org_name,
        trim(org_type) as org_type,
        cast(fte_days_lost as {{ type_double() }}) as fte_days_lost,
        cast(fte_days_available as {{ type_double() }}) as fte_days_available,
        cast(sickness_absence_rate_percent as {{ type_double() }}) as published_rate_percent,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
