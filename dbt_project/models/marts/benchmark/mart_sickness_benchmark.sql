-- NHS England's published sickness rates for every organisation in England, with the region, England
-- and organisation-type benchmarks, and for the ICS's partners the rate derived from their own returns.
-- noqa: disable=TMP
{%- set ics_code = env_var('WF_ICS_CODE', 'QK1') %}
-- noqa: enable=TMP
with benchmarked as (
    select * from {{ ref('int_published_sickness_aggregated') }}
),

derived as (
    select * from {{ ref('int_partner_sickness_derived') }}
),

register as (
    select distinct org_code from {{ ref('int_organisations_mapped') }}
),

flagged as (
    select
        benchmarked.*,
        (
            benchmarked.ics_code = '{{ ics_code }}'
            or register.org_code is not null
        ) as is_ics_partner
    from benchmarked
    left join register on benchmarked.org_code = register.org_code
)

select
    flagged.period,
    flagged.org_code,
    flagged.org_name,
    flagged.org_type,
    flagged.region_code,
    flagged.region_name,
    flagged.ics_code,
    flagged.ics_name,
    flagged.is_ics_partner,
    flagged.fte_days_lost,
    flagged.fte_days_available,
    flagged.sickness_rate,
    flagged.published_rate,
    flagged.region_rate,
    flagged.england_rate,
    flagged.england_trust_rate,
    flagged.org_type_rate,
    flagged.percentile_in_org_type,
    case when flagged.is_ics_partner then derived.pwr_days_lost end as ics_derived_days_lost,
    case when flagged.is_ics_partner then derived.pwr_days_available end as ics_derived_days_available,
    case when flagged.is_ics_partner then derived.ics_derived_rate end as ics_derived_rate
from flagged
left join derived using (period, org_code)
