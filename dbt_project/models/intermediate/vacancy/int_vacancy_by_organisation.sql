-- Vacancy, bank and agency, time to hire and sickness per month, sector, organisation and profession,
-- UNSUPPRESSED, with every numerator and denominator: the single source of mart_vacancy (which applies
-- disclosure control) and of the vacancy-side KPIs of mart_system_kpis (sector sums over organisations).
-- NHS: provider workforce return (FTE) and recruitment returns, each only for complete months; ASC:
-- extracts (headcount); VCSE: Workforce sheet at quarter-ends (vacancy on headcount, sessional on FTE).
with pwr as (
    select * from {{ ref('int_nhs_pwr_by_profession') }}
),

hire as (
    select * from {{ ref('int_nhs_time_to_hire') }}
),

nhs_keys as (
    select
        period,
        org_code,
        profession
    from pwr
    union
    select
        period,
        org_code,
        profession
    from hire
),

nhs as (
    select
        nhs_keys.period,
        'NHS' as sector,
        nhs_keys.org_code,
        nhs_keys.profession,
        cast(null as {{ dbt.type_bigint() }}) as vacancies,
        cast(null as {{ dbt.type_bigint() }}) as staff_headcount,
        pwr.vacancy_fte,
        pwr.vacancy_fte as vacancy_numerator,
        pwr.vacancy_fte + pwr.substantive_fte as vacancy_denominator,
        case when pwr.org_code is not null then 'FTE' end as vacancy_basis,
        pwr.bank_fte + pwr.agency_fte as bank_agency_numerator,
        pwr.substantive_fte + pwr.bank_fte + pwr.agency_fte as bank_agency_denominator,
        case when pwr.org_code is not null then 'FTE' end as bank_agency_basis,
        hire.vacancies_started,
        hire.median_days_to_hire,
        hire.p90_days_to_hire,
        hire.median_days_approval_to_advert,
        hire.median_days_advert_to_offer,
        hire.median_days_offer_to_checks,
        hire.median_days_checks_to_start,
        cast(null as {{ type_double() }}) as days_to_fill_weighted_sum,
        cast(null as {{ dbt.type_bigint() }}) as days_to_fill_joiners,
        pwr.sickness_fte_days_lost,
        pwr.sickness_fte_days_available,
        cast(null as {{ type_double() }}) as sick_days_sum,
        cast(null as {{ dbt.type_bigint() }}) as sick_days_workers
    from nhs_keys
    left join pwr using (period, org_code, profession)
    left join hire using (period, org_code, profession)
),

asc_measures as (
    select * from {{ ref('int_asc_vacancy_by_profession') }}
),

vcse_measures as (
    select * from {{ ref('int_vcse_vacancy_by_profession') }}
),

asc_rows as (
    select
        period,
        'Adult social care' as sector,
        org_code,
        profession,
        vacancies,
        staff_headcount,
        cast(null as {{ type_double() }}) as vacancy_fte,
        cast(vacancies as {{ type_double() }}) as vacancy_numerator,
        cast(vacancies + staff_headcount as {{ type_double() }}) as vacancy_denominator,
        'headcount' as vacancy_basis,
        cast(bank_agency_workers as {{ type_double() }}) as bank_agency_numerator,
        cast(workers_in_post as {{ type_double() }}) as bank_agency_denominator,
        'headcount' as bank_agency_basis,
        cast(null as {{ dbt.type_bigint() }}) as vacancies_started,
        cast(null as {{ type_double() }}) as median_days_to_hire,
        cast(null as {{ type_double() }}) as p90_days_to_hire,
        cast(null as {{ type_double() }}) as median_days_approval_to_advert,
        cast(null as {{ type_double() }}) as median_days_advert_to_offer,
        cast(null as {{ type_double() }}) as median_days_offer_to_checks,
        cast(null as {{ type_double() }}) as median_days_checks_to_start,
        cast(null as {{ type_double() }}) as days_to_fill_weighted_sum,
        cast(null as {{ dbt.type_bigint() }}) as days_to_fill_joiners,
        cast(null as {{ type_double() }}) as sickness_fte_days_lost,
        cast(null as {{ type_double() }}) as sickness_fte_days_available,
        sick_days_sum,
        sick_days_workers
    from asc_measures
),

vcse_rows as (
    select
        period,
        'VCSE' as sector,
        org_code,
        profession,
        vacancies,
        paid_headcount as staff_headcount,
        cast(null as {{ type_double() }}) as vacancy_fte,
        cast(vacancies as {{ type_double() }}) as vacancy_numerator,
        cast(vacancies + paid_headcount as {{ type_double() }}) as vacancy_denominator,
        'headcount' as vacancy_basis,
        sessional_or_agency_fte as bank_agency_numerator,
        paid_fte + sessional_or_agency_fte as bank_agency_denominator,
        'FTE' as bank_agency_basis,
        cast(null as {{ dbt.type_bigint() }}) as vacancies_started,
        cast(null as {{ type_double() }}) as median_days_to_hire,
        cast(null as {{ type_double() }}) as p90_days_to_hire,
        cast(null as {{ type_double() }}) as median_days_approval_to_advert,
        cast(null as {{ type_double() }}) as median_days_advert_to_offer,
        cast(null as {{ type_double() }}) as median_days_offer_to_checks,
        cast(null as {{ type_double() }}) as median_days_checks_to_start,
        days_to_fill_weighted_sum,
        days_to_fill_joiners,
        cast(null as {{ type_double() }}) as sickness_fte_days_lost,
        cast(null as {{ type_double() }}) as sickness_fte_days_available,
        cast(null as {{ type_double() }}) as sick_days_sum,
        cast(null as {{ dbt.type_bigint() }}) as sick_days_workers
    from vcse_measures
),

unioned as (
    select * from nhs
    union all
    select * from asc_rows
    union all
    select * from vcse_rows
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
)

select
    unioned.*,
    {{ safe_ratio('unioned.vacancy_numerator', 'unioned.vacancy_denominator') }} as vacancy_rate,
    {{ safe_ratio('unioned.bank_agency_numerator', 'unioned.bank_agency_denominator') }} as bank_agency_share,
    {{ safe_ratio('unioned.days_to_fill_weighted_sum', 'unioned.days_to_fill_joiners') }} as mean_days_to_fill,
    {{ safe_ratio('unioned.sickness_fte_days_lost', 'unioned.sickness_fte_days_available') }} as sickness_rate,
    {{ safe_ratio('unioned.sick_days_sum', 'unioned.sick_days_workers') }} as avg_sick_days_12m,
    organisations.org_code is not null as is_register_member,
    coalesce(
        organisations.org_code is not null
        and (organisations.start_date is null or organisations.start_date <= unioned.period)
        and (
            organisations.end_date is null or organisations.end_date >= {{ dbt.date_trunc('month', 'unioned.period') }}
        ),
        false
    ) as is_active_partner
from unioned
left join organisations on unioned.org_code = organisations.org_code
