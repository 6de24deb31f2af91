-- One row per (organisation, source, month-end) expected from a register partner or received from anyone:
-- whether it was expected (membership covers the month and the source is in expected_returns) and
-- whether an accepted return is current. A 12-month figure needs every expected one received.
with partners as (
    select * from {{ ref('int_organisations_mapped') }}
),

months as (
    select * from {{ ref('int_months') }}
),

sources as (
    select * from {{ ref('return_sources') }}
    where cadence in ('monthly', 'quarterly')
),

received as (
    select * from {{ ref('int_returns_received') }}
),

expected as (
    select
        partners.org_code,
        partners.reporting_org_code,
        sources.source_name,
        months.period
    from partners
    cross join months
    inner join sources
        on
            {{ names_source("replace(partners.expected_returns, ' ', '')", 'sources.source_name') }}
    where
        (partners.start_date is null or partners.start_date <= months.period)
        and (partners.end_date is null or partners.end_date >= {{ dbt.date_trunc('month', 'months.period') }})
        and (sources.cadence = 'monthly' or extract(month from months.period) in (3, 6, 9, 12))
)

select
    coalesce(expected.org_code, received.org_code) as org_code,
    coalesce(expected.reporting_org_code, partners.reporting_org_code, received.org_code) as reporting_org_code,
    coalesce(expected.source_name, received.source_name) as source_name,
    coalesce(expected.period, received.period) as period,
    expected.org_code is not null as is_expected,
    received.org_code is not null as is_received,
    partners.org_code is not null as is_partner
from expected
full outer join received using (org_code, source_name, period)
left join partners on coalesce(expected.org_code, received.org_code) = partners.org_code
