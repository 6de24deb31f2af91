-- One row per return (source, period, submitter) ever received: its latest version received (what the
-- partner last sent, and its outcome) and the version currently in use (the last accepted one).
with returns as (
    select * from {{ ref('stg_audit__returns') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by source_name, return_period, submitter
            order by version desc, load_id desc
        ) as latest_position
    from returns
),

latest as (
    select * from ranked
    where latest_position = 1
),

current_versions as (
    select * from returns
    where is_current
)

select
    latest.source_name,
    latest.return_period,
    latest.submitter,
    latest.load_id as latest_load_id,
    latest.version as latest_version,
    latest.file_name as latest_file_name,
    latest.status as latest_status,
    latest.loaded_at as received_at,
    current_versions.load_id as current_load_id,
    current_versions.version as current_version,
    coalesce(current_versions.row_count, latest.row_count) as row_count
from latest
left join current_versions
    on
        latest.source_name = current_versions.source_name
        and latest.return_period = current_versions.return_period
        and latest.submitter = current_versions.submitter
