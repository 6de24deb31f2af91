-- Vacancy, bank and agency, time to hire and sickness by month, organisation and profession, with
-- disclosure control (metrics.md): counts of people or posts from 1 to 4 are NULL, and so is every rate,
-- median or mean whose numerator or denominator is such a count or whose denominator is below 5. FTE and
-- days figures are not suppressed. is_suppressed is true when any value of the row was suppressed.
with measures as (
    select * from {{ ref('int_vacancy_by_organisation') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

flags as (
    select
        measures.*,
        coalesce(
            vacancy_basis = 'headcount',
            false
        ) as is_headcount_vacancy,
        coalesce(
            bank_agency_basis = 'headcount',
            false
        ) as is_headcount_bank_agency,
        coalesce(
            {{ is_small_count('vacancies') }},
            false
        ) as is_small_vacancies,
        coalesce(
            vacancy_basis = 'headcount'
            and measures.vacancy_rate is not null
            and {{ is_small_rate('measures.vacancy_numerator', 'measures.vacancy_denominator') }},
            false
        ) as is_small_vacancy_rate,
        coalesce(
            vacancy_basis = 'headcount' and {{ is_small_count('vacancy_denominator') }},
            false
        ) as is_small_vacancy_denominator,
        coalesce(
            bank_agency_basis = 'headcount'
            and measures.bank_agency_share is not null
            and {{ is_small_rate('measures.bank_agency_numerator', 'measures.bank_agency_denominator') }},
            false
        ) as is_small_bank_agency_share,
        coalesce(
            bank_agency_basis = 'headcount' and {{ is_small_count('bank_agency_numerator') }},
            false
        ) as is_small_bank_agency_numerator,
        coalesce(
            bank_agency_basis = 'headcount' and {{ is_small_count('bank_agency_denominator') }},
            false
        ) as is_small_bank_agency_denominator,
        coalesce(
            {{ is_small_count('vacancies_started') }},
            false
        ) as is_small_hire,
        coalesce(
            measures.mean_days_to_fill is not null and {{ is_small_count('days_to_fill_joiners') }},
            false
        ) as is_small_days_to_fill,
        coalesce(
            measures.avg_sick_days_12m is not null and {{ is_small_count('sick_days_workers') }},
            false
        ) as is_small_sick_days
    from measures
)

select
    flags.period,
    flags.sector,
    flags.org_code,
    organisations.org_name,
    flags.profession,
    case when flags.is_small_vacancies then null else flags.vacancies end as vacancies,
    flags.vacancy_fte,
    case when flags.is_headcount_vacancy and flags.is_small_vacancies then null else flags.vacancy_numerator end
        as vacancy_numerator,
    case when flags.is_small_vacancy_denominator then null else flags.vacancy_denominator end as vacancy_denominator,
    case when flags.is_small_vacancy_rate then null else flags.vacancy_rate end as vacancy_rate,
    flags.vacancy_basis,
    case when flags.is_small_bank_agency_numerator then null else flags.bank_agency_numerator end
        as bank_agency_numerator,
    case when flags.is_small_bank_agency_denominator then null else flags.bank_agency_denominator end
        as bank_agency_denominator,
    case when flags.is_small_bank_agency_share then null else flags.bank_agency_share end as bank_agency_share,
    flags.bank_agency_basis,
    case when flags.is_small_hire then null else flags.vacancies_started end as vacancies_started,
    case when flags.is_small_hire then null else flags.median_days_to_hire end as median_days_to_hire,
    case when flags.is_small_hire then null else flags.p90_days_to_hire end as p90_days_to_hire,
    case when flags.is_small_hire then null else flags.median_days_approval_to_advert end
        as median_days_approval_to_advert,
    case when flags.is_small_hire then null else flags.median_days_advert_to_offer end as median_days_advert_to_offer,
    case when flags.is_small_hire then null else flags.median_days_offer_to_checks end as median_days_offer_to_checks,
    case when flags.is_small_hire then null else flags.median_days_checks_to_start end as median_days_checks_to_start,
    case when flags.is_small_days_to_fill then null else flags.mean_days_to_fill end as mean_days_to_fill,
    flags.sickness_fte_days_lost,
    flags.sickness_fte_days_available,
    flags.sickness_rate,
    case when flags.is_small_sick_days then null else flags.avg_sick_days_12m end as avg_sick_days_12m,
    (
        flags.is_small_vacancies
        or flags.is_small_vacancy_rate
        or flags.is_small_vacancy_denominator
        or flags.is_small_bank_agency_share
        or flags.is_small_bank_agency_numerator
        or flags.is_small_bank_agency_denominator
        or flags.is_small_hire
        or flags.is_small_days_to_fill
        or flags.is_small_sick_days
    ) as is_suppressed
from flags
left join organisations on flags.org_code = organisations.org_code
