-- The current accepted return of each monthly or quarterly source, per submitting organisation and
-- month-end. ASC extracts count as received for each establishment that has rows in them.
with returns as (
    select * from {{ ref('stg_audit__returns') }}
),

sources as (
    select * from {{ ref('return_sources') }}
),

asc_workers as (
    select * from {{ ref('stg_asc_wds_workers__workers') }}
),

asc_establishments as (
    select * from {{ ref('stg_asc_wds_establishments__job_roles') }}
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
),

extract_rows as (
    select
        'asc_wds_workers' as source_name,
        org_code,
        period,
        max(load_id) as load_id
    from asc_workers
    group by org_code, period
    union all
    select
        'asc_wds_establishments' as source_name,
        org_code,
        period,
        max(load_id) as load_id
    from asc_establishments
    group by org_code, period
),

extract_returns as (
    select
        extract_rows.source_name,
        extract_rows.org_code,
        extract_rows.period,
        extract_rows.load_id,
        returns.status
    from extract_rows
    inner join returns on extract_rows.load_id = returns.load_id
    where returns.is_current
)

select * from organisation_returns
union all
select * from extract_returns
