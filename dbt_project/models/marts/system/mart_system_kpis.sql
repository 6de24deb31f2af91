-- The system KPIs by month, sector (NHS, Adult social care, VCSE, System) and profession ('All'
-- included): the values of int_system_kpi_values (sums over reporting partners, pooled medians and means,
-- the System rule for mixed bases) with disclosure control applied after summing, by the rule of
-- metrics.md. How a KPI is suppressed follows its aggregation in the registry (int_kpi_registry): counts
-- on the count, medians on the records behind them, means on their count, headcount ratios on both parts.
with valued as (
    select * from {{ ref('int_system_kpi_values') }}
),

-- ---------------------------------------------------------------- disclosure control
flagged as (
    select
        valued.*,
        coalesce(
            valued.value is not null
            and (
                (valued.aggregation = 'median' and {{ is_small_count('records') }})
                or (valued.aggregation = 'sum' and {{ is_small_count('numerator') }})
                or (valued.aggregation = 'mean' and {{ is_small_count('denominator') }})
                or (
                    valued.basis = 'headcount'
                    and valued.aggregation <> 'median'
                    and {{ is_small_rate('valued.numerator', 'valued.denominator') }}
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
        when aggregation in ('median', 'mean') then null
        when is_small_numerator then null
        else numerator
    end as numerator,
    case
        when aggregation in ('median', 'mean') then null
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
            aggregation not in ('median', 'mean')
            and (is_small_numerator or is_small_denominator)
        )
    ) as is_suppressed
from flagged
