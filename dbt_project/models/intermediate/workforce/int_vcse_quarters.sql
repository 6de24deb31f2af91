-- VCSE quarterly workforce per organisation, quarter-end and harmonised profession, with 'All'. Empty
-- cells are unknown, not zero: a total is NULL when any of its role categories' cells is NULL.
-- average_days_to_fill is the joiners-weighted mean over role categories with joiners > 0 and days known.
with workforce as (
    select * from {{ ref('stg_vcse_returns__workforce') }}
),

crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
    where sector = 'VCSE'
),

mapped as (
    select
        workforce.period,
        workforce.org_code,
        coalesce(crosswalk.profession, 'Unknown') as profession,
        workforce.paid_headcount,
        workforce.paid_fte,
        workforce.volunteers,
        workforce.vacancies,
        workforce.joiners,
        workforce.leavers,
        workforce.leavers_under_12_months,
        workforce.sessional_or_agency_fte,
        case
            when workforce.joiners > 0 and workforce.average_days_to_fill is not null
                then workforce.joiners * workforce.average_days_to_fill
        end as days_to_fill_weighted,
        case
            when workforce.joiners > 0 and workforce.average_days_to_fill is not null then workforce.joiners
        end as days_to_fill_joiners
    from workforce
    left join crosswalk on {{ crosswalk_match('workforce.role_category', 'crosswalk') }}
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
        volunteers,
        vacancies,
        joiners,
        leavers,
        leavers_under_12_months,
        sessional_or_agency_fte,
        days_to_fill_weighted,
        days_to_fill_joiners
    from mapped
),

summed as (
    select
        period,
        org_code,
        profession,
        count(*) as role_categories,
        case when sum(case when paid_headcount is null then 1 else 0 end) = 0 then sum(paid_headcount) end
            as paid_headcount,
        case when sum(case when paid_fte is null then 1 else 0 end) = 0 then sum(paid_fte) end as paid_fte,
        case when sum(case when volunteers is null then 1 else 0 end) = 0 then sum(volunteers) end as volunteers,
        case when sum(case when vacancies is null then 1 else 0 end) = 0 then sum(vacancies) end as vacancies,
        case when sum(case when joiners is null then 1 else 0 end) = 0 then sum(joiners) end as joiners,
        case when sum(case when leavers is null then 1 else 0 end) = 0 then sum(leavers) end as leavers,
        case
            when sum(case when leavers_under_12_months is null then 1 else 0 end) = 0 then sum(leavers_under_12_months)
        end as leavers_under_12_months,
        case
            when sum(case when sessional_or_agency_fte is null then 1 else 0 end) = 0 then sum(sessional_or_agency_fte)
        end as sessional_or_agency_fte,
        coalesce(sum(days_to_fill_weighted), 0) as days_to_fill_weighted_sum,
        coalesce(sum(days_to_fill_joiners), 0) as days_to_fill_joiners
    from with_all
    group by period, org_code, profession
)

select
    summed.period,
    'VCSE' as sector,
    summed.org_code,
    summed.profession,
    summed.role_categories,
    summed.paid_headcount,
    summed.paid_fte,
    summed.volunteers,
    summed.vacancies,
    summed.joiners,
    summed.leavers,
    summed.leavers_under_12_months,
    summed.sessional_or_agency_fte,
    {{ safe_ratio('summed.days_to_fill_weighted_sum', 'summed.days_to_fill_joiners') }} as average_days_to_fill,
    summed.days_to_fill_weighted_sum,
    summed.days_to_fill_joiners
from summed
