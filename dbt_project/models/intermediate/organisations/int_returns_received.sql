-- The current accepted return of each monthly or quarterly source, per submitting organisation and
-- month-end. ASC extracts count as received for each establishment that has rows in them.
with returns as (
    select * from {{ ref('stg_audit__returns') }}
),

sources as (
    select * from {{ ref('return_sources') }}
),

organisation_returns as (
    select
        returns.source_name,
        returns.submitter as org_code,
        {{ month_end('returns.return_period') }} as period,
        returns.load_id,
        returns.status
    from returns
    inner join sources on returns.source_name = sources.source_name
    where
        returns.is_current
        and sources.submitter_kind = 'organisation'
        and sources.cadence in ('monthly', 'quarterly')
)

select * from organisation_returns
