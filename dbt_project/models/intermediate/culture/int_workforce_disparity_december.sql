-- Workforce disparity ratios at December of each year, per organisation with person records (NHS trusts,
-- ASC establishments) and for the ICS (partners summed). For each group: turnover_rate_12m = leavers in
-- January..December / ((headcount at December of the year before + headcount at December) / 2), and
-- early-leaver rate = early leavers / leavers of the same window. Ratios: ethnic minority / White and
-- disabled (Yes) / non-disabled (No); Not stated and Not declared are left out of both sides. An
-- organisation's figure needs complete staff-in-post returns (and ESR leavers for the NHS) for all 13
-- months December Y-1 .. December Y; the ICS sums the partners that have them. A group rate is suppressed
-- when a count behind it is 1 to 4 people or its denominator is below 5, and a ratio when either rate is.
{#- The two sides of each ratio; Not stated and Not declared fall out of both (NULL). -#}
{%- set disparity_groups -%}
    case
        when is_ethnic_minority then 'Ethnic minority'
        when ethnic_group = 'White' then 'White'
    end as ethnicity,
    case when disability in ('Yes', 'No') then disability end as disability
{%- endset %}
with staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
),

leavers as (
    select * from {{ ref('int_leavers') }}
),

org_windows as (
    select * from {{ ref('int_organisation_windows') }}
),

people as (
    select distinct
        period,
        sector,
        org_code,
        person_key,
        is_partner,
        {{ disparity_groups }}
    from staff_in_post
),

decembers as (
    select distinct
        period,
        sector,
        org_code,
        is_partner
    from people
    where extract(month from period) = 12
),

-- Organisations whose leaver figures are complete for the 13 months December Y-1 .. December Y.
complete_windows as (
    select
        decembers.period as december,
        decembers.sector,
        decembers.org_code,
        decembers.is_partner
    from decembers
    inner join org_windows using (org_code, period)
    where org_windows.leavers_window_complete
),

dimensions as (
    select 'ethnicity' as dimension
    union all
    select 'disability' as dimension
),

leaver_groups as (
    select
        period,
        org_code,
        is_early_leaver,
        {{ disparity_groups }}
    from leavers
),

-- One row per organisation, December, dimension and group: the counts behind the two rates.
headcounts as (
    select
        complete_windows.december,
        complete_windows.org_code,
        dimensions.dimension,
        case when dimensions.dimension = 'ethnicity' then people.ethnicity else people.disability end
            as group_value,
        sum(case when people.period = complete_windows.december then 1 else 0 end) as headcount_end,
        sum(case when people.period < complete_windows.december then 1 else 0 end) as headcount_start
    from complete_windows
    cross join dimensions
    inner join people
        on
            complete_windows.org_code = people.org_code
            and people.period in (complete_windows.december, {{ add_months('complete_windows.december', -12) }})
    group by
        complete_windows.december, complete_windows.org_code, dimensions.dimension,
        case when dimensions.dimension = 'ethnicity' then people.ethnicity else people.disability end
),

leaver_counts as (
    select
        complete_windows.december,
        complete_windows.org_code,
        dimensions.dimension,
        case when dimensions.dimension = 'ethnicity' then leaver_groups.ethnicity else leaver_groups.disability end
            as group_value,
        count(*) as leavers_12m,
        sum(case when leaver_groups.is_early_leaver then 1 else 0 end) as early_leavers_12m
    from complete_windows
    cross join dimensions
    inner join leaver_groups
        on
            complete_windows.org_code = leaver_groups.org_code
            and {{ in_12m_window('leaver_groups.period', 'complete_windows.december') }}
    group by
        complete_windows.december,
        complete_windows.org_code,
        dimensions.dimension,
        case when dimensions.dimension = 'ethnicity' then leaver_groups.ethnicity else leaver_groups.disability end
),

group_counts as (
    select
        complete_windows.december,
        complete_windows.sector,
        complete_windows.org_code,
        complete_windows.is_partner,
        headcounts.dimension,
        headcounts.group_value,
        headcounts.headcount_start,
        headcounts.headcount_end,
        coalesce(leaver_counts.leavers_12m, 0) as leavers_12m,
        coalesce(leaver_counts.early_leavers_12m, 0) as early_leavers_12m
    from complete_windows
    inner join headcounts using (december, org_code)
    left join leaver_counts
        on
            headcounts.december = leaver_counts.december
            and headcounts.org_code = leaver_counts.org_code
            and headcounts.dimension = leaver_counts.dimension
            and headcounts.group_value = leaver_counts.group_value
    where headcounts.group_value is not null
),

with_ics as (
    select * from group_counts
    union all
    select
        december,
        'System' as sector,
        'ICS' as org_code,
        false as is_partner,
        dimension,
        group_value,
        sum(headcount_start) as headcount_start,
        sum(headcount_end) as headcount_end,
        sum(leavers_12m) as leavers_12m,
        sum(early_leavers_12m) as early_leavers_12m
    from group_counts
    where is_partner
    group by december, dimension, group_value
),

group_rates as (
    select
        *,
        {{ turnover_denominator('headcount_start', 'headcount_end') }} as turnover_denominator,
        {{ safe_ratio('leavers_12m', turnover_denominator('headcount_start', 'headcount_end')) }} as turnover_rate,
        {{ is_small_count('leavers_12m') }} or {{ is_small_count('headcount_start') }}
        or {{ is_small_count('headcount_end') }} or {{ turnover_denominator('headcount_start', 'headcount_end') }} < 5
            as turnover_suppressed,
        {{ safe_ratio('early_leavers_12m', 'leavers_12m') }} as early_leaver_rate,
        {{ is_small_rate('early_leavers_12m', 'leavers_12m') }} as early_leaver_suppressed
    from with_ics
),

pairs as (
    select
        december,
        sector,
        org_code,
        is_partner,
        dimension,
        max(case when group_value in ('Ethnic minority', 'Yes') then turnover_rate end) as turnover_focus,
        max(case when group_value in ('White', 'No') then turnover_rate end) as turnover_reference,
        max(case when group_value in ('Ethnic minority', 'Yes') then early_leaver_rate end) as early_focus,
        max(case when group_value in ('White', 'No') then early_leaver_rate end) as early_reference,
        sum(case when turnover_suppressed then 1 else 0 end) > 0 as turnover_suppressed,
        sum(case when early_leaver_suppressed then 1 else 0 end) > 0 as early_suppressed,
        sum(leavers_12m) as leavers_12m
    from group_rates
    group by december, sector, org_code, is_partner, dimension
),

ratios as (
    {#- measure: the prefix of its pairs columns -#}
    {%- for measure, rate in [('Turnover disparity', 'turnover'), ('Early-leaver disparity', 'early')] %}
        select
            december,
            sector,
            org_code,
            is_partner,
            case
                when dimension = 'ethnicity' then '{{ measure }} (ethnic minority / White)'
                else '{{ measure }} (disabled / non-disabled)'
            end as measure,
            {{ safe_ratio(rate ~ '_focus', rate ~ '_reference') }} as score,
            leavers_12m,
            {{ rate }}_suppressed as is_suppressed
        from pairs
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    cast(extract(year from december) as {{ dbt.type_int() }}) as year,
    december as period,
    sector,
    org_code,
    measure,
    'All' as group_type,
    'All' as group_value,
    score,
    cast(null as {{ dbt.type_bigint() }}) as responses,
    is_partner,
    is_suppressed or score is null as is_suppressed
from ratios
