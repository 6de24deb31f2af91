-- Each return ever received, as it stands now (audit.return_state, the one definition of a quarantined
-- return: its latest version received was held back): the latest version (what the partner last sent, its
-- outcome) and the version in use (the last accepted one).
with source as (
    select * from {{ source('audit', 'return_state') }}
),

renamed as (
    select
        source as source_name,
        period as return_period,
        submitter,
        latest_load_id,
        latest_version,
        latest_file_name,
        latest_status,
        received_at,
        current_load_id,
        current_version,
        row_count,
        is_held_back
    from source
)

select * from renamed
