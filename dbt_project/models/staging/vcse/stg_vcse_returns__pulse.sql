-- VCSE workbook, Pulse sheet: one row per organisation, quarter-end and measure.
with source as (
    select * from {{ source('raw', 'vcse_pulse') }}
),

renamed as (
    select
        trim(submitter) as org_code,
        {{ month_end('return_period') }} as period,
        trim(measure) as measure,
        cast(score as {{ type_double() }}) as score,
        cast(responses as {{ dbt.type_bigint() }}) as responses,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
