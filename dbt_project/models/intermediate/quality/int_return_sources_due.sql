-- The last month each monthly or quarterly source is due for: the latest month-end at which at least the
-- coverage threshold (macro coverage_is_low) of the returns expected of the source have arrived, accepted or
-- held back. Every expected return up to that month is due; a later month is still open, so one partner's
-- early file does not make every other partner's return of that month 'missing'.
with coverage as (
    select * from {{ ref('int_return_coverage') }}
),

held_back as (
    select * from {{ ref('stg_audit__return_state') }}
    where is_held_back and length(return_period) = 7
),

arrivals as (
    select
        coverage.source_name,
        coverage.period,
        sum(case when coverage.is_expected then 1 else 0 end) as expected_returns,
        sum(
            case
                when coverage.is_expected and (coverage.is_received or held_back.submitter is not null) then 1
                else 0
            end
        ) as arrived_returns
    from coverage
    left join held_back
        on
            coverage.source_name = held_back.source_name
            and coverage.org_code = held_back.submitter
            and coverage.period = {{ month_end('held_back.return_period') }}
    group by coverage.source_name, coverage.period
)

select
    source_name,
    max(period) as last_due_period
from arrivals
where expected_returns > 0 and not {{ coverage_is_low('arrived_returns', 'expected_returns') }}
group by source_name
