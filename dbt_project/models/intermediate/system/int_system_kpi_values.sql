-- The system KPIs before disclosure control, by month, sector (NHS, Adult social care, VCSE, System) and
-- profession ('All' included). A sector value sums the unsuppressed numerators and denominators of the
-- reporting register partners whose numerator and denominator are both known (never an average of rates);
-- medians pool the sector's records. System: the sum over the sectors with a value when they all share one
-- basis, else NULL with basis 'mixed'; medians pool the records of every sector that has them. How each
-- KPI aggregates and its basis come from the registry (int_kpi_registry); orgs_reporting and orgs_expected
-- from int_kpi_reporting_counts. VCSE contributes at quarter-ends only. Read only by mart_system_kpis.
with parts as (
    select * from {{ ref('int_system_kpi_parts') }}
),

coverage as (
    select * from {{ ref('int_system_kpi_coverage') }}
),

reporting_counts as (
    select * from {{ ref('int_kpi_reporting_counts') }}
),

registry as (
    select * from {{ ref('int_kpi_registry') }}
),

staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
),

vacancies_started as (
    select * from {{ ref('int_nhs_vacancies_started') }}
),

-- ---------------------------------------------------------------- sums over partners
known_parts as (
    select parts.*
    from parts
    left join registry
        on
            parts.kpi = registry.kpi
            and parts.sector = registry.sector
    where parts.numerator is not null and (parts.denominator is not null or registry.aggregation = 'sum')
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
-- the staff of the partners reporting median_service_years
covered_staff as (
    select staff_in_post.*
    from staff_in_post
    inner join coverage
        on
            staff_in_post.period = coverage.period
            and staff_in_post.sector = coverage.sector
            and staff_in_post.org_code = coverage.org_code
            and coverage.kpi = 'median_service_years'
            and coverage.is_reporting
),

service_records as (
    select
        period,
        sector,
        profession,
        cast({{ dbt.datediff('service_start_date', 'period', 'day') }} as {{ type_double() }}) / 365.25 as value
    from covered_staff
    union all
    select
        period,
        sector,
        'All' as profession,
        cast({{ dbt.datediff('min(service_start_date)', 'period', 'day') }} as {{ type_double() }}) / 365.25 as value
    from covered_staff
    group by period, sector, org_code, person_key
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
    {%- for profession in ["'All'", 'profession'] %}
        union all
        select
            period,
            sector,
            {{ profession }} as profession,
            'median_days_to_hire' as kpi,
            'days' as basis,
            value
        from hire_records
    {%- endfor %}
),

-- a sector's median pools its records, the System's those of every sector
medians as (
    {%- for sector in ['sector', "'System'"] %}
        select
            period,
            {{ sector }} as sector,
            profession,
            kpi,
            max(basis) as basis,
            percentile_cont(0.5) within group (order by value) as numerator,
            cast(null as {{ type_double() }}) as denominator,
            count(*) as records,
            false as is_provisional
        from median_records
        group by period, {% if sector == 'sector' %}sector, {% endif %}profession, kpi
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

figures as (
    select * from sector_sums
    union all
    select * from system_sums
    union all
    select * from medians
),

-- ---------------------------------------------------------------- the row spine
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
    from reporting_counts
    where orgs_expected > 0
),

valued as (
    select
        spine.period,
        spine.sector,
        spine.profession,
        spine.kpi,
        registry.aggregation,
        coalesce(figures.basis, registry.basis) as basis,
        figures.numerator,
        figures.denominator,
        figures.records,
        case
            when registry.aggregation in ('median', 'sum') then figures.numerator
            else {{ safe_ratio('figures.numerator', 'figures.denominator') }}
        end as value,
        -- provisional: a leaver's internal-move test still waits for snapshots, or coverage is below the
        -- threshold (macro coverage_is_low; 1 of 42 partners is not the System)
        coalesce(figures.is_provisional, false) or {{ coverage_is_low(
            'coalesce(reporting_counts.orgs_reporting, 0)', 'coalesce(reporting_counts.orgs_expected, 0)'
        ) }} as is_provisional,
        coalesce(reporting_counts.orgs_reporting, 0) as orgs_reporting,
        coalesce(reporting_counts.orgs_expected, 0) as orgs_expected
    from spine
    left join figures using (period, sector, profession, kpi)
    left join registry using (kpi, sector)
    left join reporting_counts using (period, sector, kpi)
)

select * from valued
