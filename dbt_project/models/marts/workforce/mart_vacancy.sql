-- Vacancy, bank and agency, time to hire and sickness by month, organisation and profession.
with nhs as (
    select * from {{ ref('int_nhs_pwr_by_profession') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

nhs_rows as (
    select
        nhs.period,
        'NHS' as sector,
        nhs.org_code,
        nhs.profession,
        cast(null as {{ dbt.type_bigint() }}) as vacancies,
        nhs.vacancy_fte,
        nhs.vacancy_fte as vacancy_numerator,
        nhs.vacancy_fte + nhs.substantive_fte as vacancy_denominator,
        {{ safe_ratio('nhs.vacancy_fte', 'nhs.vacancy_fte + nhs.substantive_fte') }} as vacancy_rate,
        'FTE' as vacancy_basis,
        nhs.bank_fte + nhs.agency_fte as bank_agency_numerator,
        nhs.substantive_fte + nhs.bank_fte + nhs.agency_fte as bank_agency_denominator,
        {{ safe_ratio('nhs.bank_fte + nhs.agency_fte', 'nhs.substantive_fte + nhs.bank_fte + nhs.agency_fte') }}
            as bank_agency_share,
        'FTE' as bank_agency_basis,
        nhs.sickness_fte_days_lost,
        nhs.sickness_fte_days_available,
        {{ safe_ratio('nhs.sickness_fte_days_lost', 'nhs.sickness_fte_days_available') }} as sickness_rate,
        false as is_suppressed
    from nhs
)

select
    rows.period,
    rows.sector,
    rows.org_code,
    organisations.org_name,
    rows.profession,
    rows.vacancies,
    rows.vacancy_fte,
    rows.vacancy_numerator,
    rows.vacancy_denominator,
    rows.vacancy_rate,
    rows.vacancy_basis,
    rows.bank_agency_numerator,
    rows.bank_agency_denominator,
    rows.bank_agency_share,
    rows.bank_agency_basis,
    cast(null as {{ type_double() }}) as median_days_to_hire,
    cast(null as {{ type_double() }}) as p90_days_to_hire,
    cast(null as {{ type_double() }}) as median_days_approval_to_advert,
    cast(null as {{ type_double() }}) as median_days_advert_to_offer,
    cast(null as {{ type_double() }}) as median_days_offer_to_checks,
    cast(null as {{ type_double() }}) as median_days_checks_to_start,
    cast(null as {{ type_double() }}) as mean_days_to_fill,
    rows.sickness_fte_days_lost,
    rows.sickness_fte_days_available,
    rows.sickness_rate,
    cast(null as {{ type_double() }}) as avg_sick_days_12m,
    rows.is_suppressed
from nhs_rows as rows
left join organisations on rows.org_code = organisations.org_code
