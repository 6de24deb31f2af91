-- VCSE pulse scores per organisation, year and measure (measure prefixed 'VCSE pulse: '), from the
-- organisation's last return of the year with a Pulse sheet (December, else the latest), and the ICS's
-- responses-weighted mean over partner organisations of those same returns. Suppressed under 11
-- responses.
with pulse as (
    select * from {{ ref('stg_vcse_returns__pulse') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

mapped as (
    select
        cast(extract(year from pulse.period) as {{ dbt.type_int() }}) as year,
        pulse.period,
        coalesce(organisations.reporting_org_code, pulse.org_code) as org_code,
        organisations.org_code is not null as is_partner,
        pulse.measure,
        pulse.score,
        pulse.responses
    from pulse
    left join organisations on pulse.org_code = organisations.org_code
),

latest as (
    select
        year,
        org_code,
        max(period) as period
    from mapped
    group by year, org_code
),

organisation_rows as (
    select
        mapped.year,
        'VCSE' as sector,
        mapped.org_code,
        {{ dbt.concat(["'VCSE pulse: '", 'mapped.measure']) }} as measure,
        'All' as group_type,
        'All' as group_value,
        mapped.score,
        mapped.responses,
        mapped.is_partner
    from mapped
    inner join latest using (year, org_code, period)
),

ics_rows as (
    {{ ics_survey_rows('organisation_rows', 'VCSE') }}
),

unioned as (
    select * from organisation_rows
    union all
    select * from ics_rows
)

select
    *,
    coalesce(responses, 0) < 11 or score is null as is_suppressed
from unioned
