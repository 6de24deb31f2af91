-- The system KPIs by month, sector (NHS, Adult social care, VCSE, System) and profession ('All'
-- included). A sector value sums the unsuppressed numerators and denominators of the reporting register
-- partners whose numerator and denominator are both known (never an average of rates); medians pool the
-- sector's records. System: the sum over the sectors with a value when they all share one basis, else
-- NULL with basis 'mixed'; medians pool the records of every sector that has them. Disclosure control is
-- applied after summing, by the rule of metrics.md. VCSE contributes at quarter-ends only.
with parts as (
    select * from {{ ref('int_system_kpi_parts') }}
),

coverage as (
    select * from {{ ref('int_system_kpi_coverage') }}
),

staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
),

vacancies_started as (
    select * from {{ ref('int_nhs_vacancies_started') }}
),

-- ---------------------------------------------------------------- sums over partners
known_parts as (
    select *
    from parts
    where numerator is not null and (denominator is not null or kpi in ('joiners_12m', 'leavers_12m'))
),

sector_sums as (
    select
        period,
        sector,
        profession,
        kpi,
        max(basis) as basis,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        cast(null as {{ dbt.type_bigint() }}) as records,
        max(case when is_provisional then 1 else 0 end) = 1 as is_provisional
    from known_parts
    group by period, sector, profession, kpi
),

system_bases as (
    select
        period,
        profession,
        kpi,
        count(distinct basis) as bases,
        max(basis) as basis,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        max(case when is_provisional then 1 else 0 end) = 1 as is_provisional
    from sector_sums
    group by period, profession, kpi
),

system_sums as (
    select
        period,
        'System' as sector,
        profession,
        kpi,
        case when bases = 1 then basis else 'mixed' end as basis,
        case when bases = 1 then numerator end as numerator,
        case when bases = 1 then denominator end as denominator,
        cast(null as {{ dbt.type_bigint() }}) as records,
        is_provisional
    from system_bases
),

-- ---------------------------------------------------------------- medians over pooled records
service_records as (
    select
        staff_in_post.period,
        staff_in_post.sector,
        staff_in_post.profession,
        cast(
            {{ dbt.datediff('staff_in_post.service_start_date', 'staff_in_post.period', 'day') }} as {{ type_double() }}
        )
        / 365.25 as value
    from staff_in_post
    inner join coverage
        on
            staff_in_post.period = coverage.period
            and staff_in_post.sector = coverage.sector
            and staff_in_post.org_code = coverage.org_code
            and coverage.kpi = 'median_service_years'
            and coverage.is_reporting
    union all
    select
        staff_in_post.period,
        staff_in_post.sector,
        'All' as profession,
        cast(
            {{ dbt.datediff('min(staff_in_post.service_start_date)', 'staff_in_post.period', 'day') }}
            as {{ type_double() }}
        )
        / 365.25 as value
    from staff_in_post
    inner join coverage
        on
            staff_in_post.period = coverage.period
            and staff_in_post.sector = coverage.sector
            and staff_in_post.org_code = coverage.org_code
            and coverage.kpi = 'median_service_years'
            and coverage.is_reporting
    group by staff_in_post.period, staff_in_post.sector, staff_in_post.org_code, staff_in_post.person_key
),

hire_records as (
    select
        vacancies_started.period,
        'NHS' as sector,
        vacancies_started.profession,
        vacancies_started.days_to_hire as value
    from vacancies_started
    inner join coverage
        on
            vacancies_started.period = coverage.period
            and vacancies_started.org_code = coverage.org_code
            and coverage.sector = 'NHS'
            and coverage.kpi = 'median_days_to_hire'
            and coverage.is_reporting
),

median_records as (
    select
        period,
        sector,
        profession,
        'median_service_years' as kpi,
        'headcount' as basis,
        value
    from service_records
    union all
    select
        period,
        sector,
        'All' as profession,
        'median_days_to_hire' as kpi,
        'days' as basis,
        value
    from hire_records
    union all
    select
        period,
        sector,
        profession,
        'median_days_to_hire' as kpi,
        'days' as basis,
        value
    from hire_records
),

sector_medians as (
    select
        period,
        sector,
        profession,
        kpi,
        max(basis) as basis,
        percentile_cont(0.5) within group (order by value) as numerator,
        cast(null as {{ type_double() }}) as denominator,
        count(*) as records,
        false as is_provisional
    from median_records
    group by period, sector, profession, kpi
),

system_medians as (
    select
        period,
        'System' as sector,
        profession,
        kpi,
        max(basis) as basis,
        percentile_cont(0.5) within group (order by value) as numerator,
        cast(null as {{ type_double() }}) as denominator,
        count(*) as records,
        false as is_provisional
    from median_records
    group by period, profession, kpi
),

figures as (
    select * from sector_sums
    union all
    select * from system_sums
    union all
    select * from sector_medians
    union all
    select * from system_medians
),

-- ---------------------------------------------------------------- coverage and the row spine
sector_coverage as (
    select
        period,
        sector,
        kpi,
        sum(case when is_expected then 1 else 0 end) as orgs_expected,
        sum(case when is_reporting then 1 else 0 end) as orgs_reporting
    from coverage
    group by period, sector, kpi
),

all_coverage as (
    select * from sector_coverage
    union all
    select
        period,
        'System' as sector,
        kpi,
        sum(orgs_expected) as orgs_expected,
        sum(orgs_reporting) as orgs_reporting
    from sector_coverage
    group by period, kpi
),

spine as (
    select
        period,
        sector,
        profession,
        kpi
    from figures
    union
    select
        period,
        sector,
        'All' as profession,
        kpi
    from all_coverage
    where orgs_expected > 0
),

valued as (
    select
        spine.period,
        spine.sector,
        spine.profession,
        spine.kpi,
        coalesce(
            figures.basis,
            case
                when spine.kpi in ('joiners_12m', 'leavers_12m') then 'count'
                when spine.kpi in ('median_days_to_hire', 'mean_days_to_fill', 'sickness_rate', 'avg_sick_days_12m')
                    then 'days'
                when spine.kpi in ('vacancy_rate', 'bank_agency_share') and spine.sector = 'System' then 'mixed'
                when spine.kpi = 'vacancy_rate' and spine.sector = 'NHS' then 'FTE'
                when spine.kpi = 'bank_agency_share' and spine.sector <> 'Adult social care' then 'FTE'
                else 'headcount'
            end
        ) as basis,
        figures.numerator,
        figures.denominator,
        figures.records,
        case
            when spine.kpi in ('median_service_years', 'median_days_to_hire') then figures.numerator
            when spine.kpi in ('joiners_12m', 'leavers_12m') then figures.numerator
            else {{ safe_ratio('figures.numerator', 'figures.denominator') }}
        end as value,
        coalesce(figures.is_provisional, false) as is_provisional,
        coalesce(all_coverage.orgs_reporting, 0) as orgs_reporting,
        coalesce(all_coverage.orgs_expected, 0) as orgs_expected
    from spine
    left join figures
        on
            spine.period = figures.period
            and spine.sector = figures.sector
            and spine.profession = figures.profession
            and spine.kpi = figures.kpi
    left join all_coverage
        on
            spine.period = all_coverage.period
            and spine.sector = all_coverage.sector
            and spine.kpi = all_coverage.kpi
),

-- ---------------------------------------------------------------- disclosure control
flagged as (
    select
        valued.*,
        coalesce(
            valued.value is not null
            and (
                (valued.kpi in ('median_service_years', 'median_days_to_hire') and {{ is_small_count('records') }})
                or (valued.kpi in ('joiners_12m', 'leavers_12m') and {{ is_small_count('numerator') }})
                or (valued.kpi in ('avg_sick_days_12m', 'mean_days_to_fill') and {{ is_small_count('denominator') }})
                or (
                    valued.basis = 'headcount'
                    and valued.kpi not in ('median_service_years', 'median_days_to_hire')
                    and (
                        {{ is_small_count('numerator') }}
                        or {{ is_small_count('denominator') }}
                        or valued.denominator < 5
                    )
                )
            ),
            false
        ) as is_small_value,
        coalesce(
            valued.basis in ('headcount', 'count') and {{ is_small_count('numerator') }}, false
        ) as is_small_numerator,
        coalesce(basis = 'headcount' and {{ is_small_count('denominator') }}, false) as is_small_denominator
    from valued
)

select
    period,
    sector,
    profession,
    kpi,
    case when is_small_value then null else value end as value,
    case
        when kpi in ('median_service_years', 'median_days_to_hire', 'avg_sick_days_12m', 'mean_days_to_fill') then null
        when is_small_numerator then null
        else numerator
    end as numerator,
    case
        when kpi in ('median_service_years', 'median_days_to_hire', 'avg_sick_days_12m', 'mean_days_to_fill') then null
        when is_small_denominator then null
        else denominator
    end as denominator,
    basis,
    cast(orgs_reporting as {{ dbt.type_bigint() }}) as orgs_reporting,
    cast(orgs_expected as {{ dbt.type_bigint() }}) as orgs_expected,
    is_provisional,
    (
        is_small_value
        or (
            kpi not in ('median_service_years', 'median_days_to_hire', 'avg_sick_days_12m', 'mean_days_to_fill')
            and (is_small_numerator or is_small_denominator)
        )
    ) as is_suppressed
from flagged
