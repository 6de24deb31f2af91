-- Every problem found in a return (audit.quarantine): ERROR held the return back, WARN let it through.
with source as (
    select * from {{ source('audit', 'quarantine') }}
),

renamed as (
    select
        load_id,
        source as source_name,
        period as return_period,
        submitter,
        file_name,
        row_number as file_row,
        column_name,
        reason,
        severity,
        quarantined_at as found_at,
        released_at
    from source
)

select * from renamed
