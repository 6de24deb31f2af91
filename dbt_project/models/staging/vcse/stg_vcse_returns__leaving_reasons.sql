-- VCSE workbook, Leaving reasons sheet: one row per organisation, quarter-end and reason as sent.
with source as (
    select * from {{ source('raw', 'vcse_leaving_reasons') }}
),

renamed as (
    select
        trim(submitter) as org_code,
        {{ month_end('return_period') }} as period,
        trim(reason) as reason,
        cast(count as {{ dbt.type_bigint() }}) as leavers,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
