-- NHS provider workforce return summed per reporting organisation (merger successors), month and
-- harmonised profession, with the 'All' total. Only complete months: every expected constituent return.
with pwr as (
    select * from {{ ref('stg_nhs_pwr__staff_groups') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
    where sector = 'NHS'
),

completeness as (
    select * from {{ ref('int_return_completeness') }}
    where source_name = 'nhs_pwr' and is_complete
),

mapped as (
    select
        pwr.period,
        coalesce(organisations.reporting_org_code, pwr.org_code) as org_code,
        coalesce(crosswalk.profession, 'Unknown') as profession,
        pwr.substantive_fte,
        pwr.bank_fte,
        pwr.agency_fte,
        pwr.vacancy_fte,
        pwr.sickness_fte_days_lost,
        pwr.sickness_fte_days_available
    from pwr
    left join organisations on pwr.org_code = organisations.org_code
    left join crosswalk on {{ crosswalk_match('pwr.staff_group', 'crosswalk') }}
),

-- each row under its profession and under 'All'
with_all as (
    {{ with_profession_all('mapped', ['period', 'org_code'], [
        'substantive_fte', 'bank_fte', 'agency_fte', 'vacancy_fte',
        'sickness_fte_days_lost', 'sickness_fte_days_available',
    ]) }}
),

by_profession as (
    select
        period,
        org_code,
        profession,
        sum(substantive_fte) as substantive_fte,
        sum(bank_fte) as bank_fte,
        sum(agency_fte) as agency_fte,
        sum(vacancy_fte) as vacancy_fte,
        sum(sickness_fte_days_lost) as sickness_fte_days_lost,
        sum(sickness_fte_days_available) as sickness_fte_days_available
    from with_all
    group by period, org_code, profession
)

select by_profession.*
from by_profession
inner join completeness
    on by_profession.org_code = completeness.reporting_org_code and by_profession.period = completeness.period
