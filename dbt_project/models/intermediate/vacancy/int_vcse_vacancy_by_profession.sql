-- VCSE vacancy, sessional/agency use and days to fill per quarter-end, organisation and profession
-- ('All' included), from the Workforce sheet, unsuppressed. Empty cells are unknown, not zero: a sum is
-- NULL when any of its cells is empty. mean_days_to_fill weights average_days_to_fill by joiners over
-- the role categories with joiners > 0 and the days known.
with workforce as (
    select * from {{ ref('stg_vcse_returns__workforce') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
    where sector = 'VCSE'
),

mapped as (
    select
        workforce.period,
        coalesce(organisations.reporting_org_code, workforce.org_code) as org_code,
        coalesce(crosswalk.profession, 'Unknown') as profession,
        workforce.paid_headcount,
        workforce.paid_fte,
        workforce.vacancies,
        workforce.joiners,
        workforce.sessional_or_agency_fte,
        case
            when workforce.joiners > 0 and workforce.average_days_to_fill is not null
                then workforce.average_days_to_fill * workforce.joiners
        end as days_to_fill_weighted,
        case
            when workforce.joiners > 0 and workforce.average_days_to_fill is not null then workforce.joiners
        end as days_to_fill_joiners
    from workforce
    left join organisations on workforce.org_code = organisations.org_code
    left join crosswalk on workforce.role_category = crosswalk.source_value
),

with_all as (
    select * from mapped
    union all
    select
        period,
        org_code,
        'All' as profession,
        paid_headcount,
        paid_fte,
        vacancies,
        joiners,
        sessional_or_agency_fte,
        days_to_fill_weighted,
        days_to_fill_joiners
    from mapped
)

select
    period,
    org_code,
    profession,
    case when count(paid_headcount) = count(*) then cast(sum(paid_headcount) as {{ dbt.type_bigint() }}) end
        as paid_headcount,
    case when count(paid_fte) = count(*) then sum(paid_fte) end as paid_fte,
    case when count(vacancies) = count(*) then cast(sum(vacancies) as {{ dbt.type_bigint() }}) end as vacancies,
    case when count(sessional_or_agency_fte) = count(*) then sum(sessional_or_agency_fte) end
        as sessional_or_agency_fte,
    sum(days_to_fill_weighted) as days_to_fill_weighted_sum,
    cast(sum(days_to_fill_joiners) as {{ dbt.type_bigint() }}) as days_to_fill_joiners
from with_all
group by period, org_code, profession
