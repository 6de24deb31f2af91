-- The table a data engineer works from when chasing partners: every return expected or received, its
-- outcome, the version in use and what to fix (one line per problem).
with versions as (
    select * from {{ ref('stg_audit__return_state') }}
),

reasons as (
    select * from {{ ref('int_return_reasons_listed') }}
),

coverage as (
    select * from {{ ref('int_return_coverage') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

sources as (
    select * from {{ ref('return_sources') }}
),

unknown_shares as (
    select * from {{ ref('int_return_unknown_share') }}
),

due as (
    select * from {{ ref('int_return_sources_due') }}
),

received as (
    select
        case
            when length(versions.return_period) = 4
                then {{ month_end(dbt.concat(["versions.return_period", "'-12'"])) }}
            else {{ month_end('versions.return_period') }}
        end as period,
        versions.submitter as org_code,
        versions.source_name,
        versions.latest_status as status,
        versions.current_version,
        versions.row_count,
        versions.received_at,
        reasons.reasons,
        versions.current_load_id
    from versions
    left join reasons on versions.latest_load_id = reasons.load_id
    where versions.return_period is not null and versions.return_period <> ''
),

missing as (
    select
        coverage.period,
        coverage.org_code,
        coverage.source_name,
        'missing' as status,
        cast(null as integer) as current_version,
        cast(null as bigint) as row_count,
        cast(null as timestamp) as received_at,
        {{ one_line(dbt.concat([
            "'WARN expected '", "coverage.source_name", "' return for '",
            dbt.safe_cast("coverage.period", dbt.type_string()),
            "' has not arrived'"
        ])) }} as reasons,
        cast(null as bigint) as current_load_id
    from coverage
    inner join due on coverage.source_name = due.source_name and coverage.period <= due.last_due_period
    where
        coverage.is_expected
        and not coverage.is_received
        and not exists (
            select 1 from received
            where
                received.org_code = coverage.org_code
                and received.source_name = coverage.source_name
                and received.period = coverage.period
        )
),

all_returns as (
    select * from received
    union all
    select * from missing
)

select
    all_returns.period,
    coalesce(organisations.sector, nullif(sources.sector, '')) as sector,
    all_returns.org_code,
    organisations.org_name,
    all_returns.source_name as source,
    all_returns.status,
    cast(all_returns.current_version as integer) as current_version,
    cast(all_returns.row_count as bigint) as rows,
    all_returns.received_at,
    all_returns.reasons,
    unknown_shares.unknown_rows,
    unknown_shares.unknown_share,
    unknown_shares.unknown_values
from all_returns
left join organisations on all_returns.org_code = organisations.org_code
left join unknown_shares on all_returns.current_load_id = unknown_shares.load_id
left join sources on all_returns.source_name = sources.source_name
