-- Every return received and its outcome; is_current marks the version in raw.
with source as (
    select * from {{ source('audit', 'load_log') }}
),

renamed as (
    select
        load_id,
        source as source_name,
        period as return_period,
        submitter,
        version,
        file_name,
        rows as row_count,
        loaded_at,
        status,
        is_current
    from source
)

select * from renamed
