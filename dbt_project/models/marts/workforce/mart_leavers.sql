-- Leavers in the 12 months to period by dimension (reason, destination, age_band, ethnic_group,
-- disability, service_band) and category, per organisation and profession ('All' included). NHS and ASC
-- from leaver events (int_leavers) in W = M-11 .. M, published only when every month M-12 .. M has the
-- complete accepted returns the leavers use (NHS: ESR staff and leavers; ASC: the workers extract).
-- VCSE: reasons from the Leaving reasons sheet over the four quarters of W ('All' only), needing the five
-- quarter-ends M-12 .. M; leavers the sheets do not explain (a sheet not sent) count as 'Unknown', so the
-- shares add up to the Workforce sheet's leavers. Categories with no leavers have no row. Disclosure
-- control: leavers_12m from 1 to 4 and shares over such counts (or denominators below 5) are NULL.
with person_counts as (
    select * from {{ ref('int_leaver_counts') }}
),

vcse_reasons as (
    select * from {{ ref('stg_vcse_returns__leaving_reasons') }}
),

vcse_quarters as (
    select * from {{ ref('int_vcse_quarters') }}
    where profession = 'All'
),

reason_crosswalk as (
    select * from {{ ref('leaving_reason_crosswalk') }}
    where sector = 'VCSE'
),

org_windows as (
    select * from {{ ref('int_organisation_windows') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

-- ---------------------------------------------------------------- VCSE reasons (quarterly sheet)
vcse_windows as (
    select
        period,
        org_code
    from org_windows
    where extract(month from period) in (3, 6, 9, 12) and vcse_window_complete
),

vcse_reason_counts as (
    select
        vcse_windows.period,
        vcse_windows.org_code,
        coalesce(reason_crosswalk.reason_category, 'Unknown') as category,
        sum(vcse_reasons.leavers) as leavers_12m
    from vcse_windows
    inner join vcse_reasons
        on
            vcse_windows.org_code = vcse_reasons.org_code
            and vcse_windows.period >= vcse_reasons.period
            and vcse_reasons.period > {{ add_months('vcse_windows.period', -12) }}
    left join reason_crosswalk on {{ crosswalk_match('vcse_reasons.reason', 'reason_crosswalk') }}
    group by vcse_windows.period, vcse_windows.org_code, coalesce(reason_crosswalk.reason_category, 'Unknown')
),

vcse_totals as (
    select
        vcse_windows.period,
        vcse_windows.org_code,
        case
            when sum(case when vcse_quarters.leavers is null then 1 else 0 end) = 0 then sum(vcse_quarters.leavers)
        end as leavers_12m
    from vcse_windows
    inner join vcse_quarters
        on
            vcse_windows.org_code = vcse_quarters.org_code
            and vcse_windows.period >= vcse_quarters.period
            and vcse_quarters.period > {{ add_months('vcse_windows.period', -12) }}
    group by vcse_windows.period, vcse_windows.org_code
),

vcse_explained as (
    select
        period,
        org_code,
        sum(leavers_12m) as explained
    from vcse_reason_counts
    group by period, org_code
),

vcse_counts_unmerged as (
    select
        period,
        'VCSE' as sector,
        org_code,
        'All' as profession,
        'reason' as dimension,
        category,
        leavers_12m
    from vcse_reason_counts
    where leavers_12m > 0
    union all
    select
        vcse_totals.period,
        'VCSE' as sector,
        vcse_totals.org_code,
        'All' as profession,
        'reason' as dimension,
        'Unknown' as category,
        vcse_totals.leavers_12m - coalesce(vcse_explained.explained, 0) as leavers_12m
    from vcse_totals
    left join vcse_explained
        on vcse_totals.period = vcse_explained.period and vcse_totals.org_code = vcse_explained.org_code
    where vcse_totals.leavers_12m - coalesce(vcse_explained.explained, 0) > 0
),

vcse_counts as (
    select
        period,
        sector,
        org_code,
        profession,
        dimension,
        category,
        sum(leavers_12m) as leavers_12m
    from vcse_counts_unmerged
    group by period, sector, org_code, profession, dimension, category
),

-- ---------------------------------------------------------------- shares, then disclosure control
counts as (
    select * from person_counts
    union all
    select * from vcse_counts
),

person_totals as (
    select
        period,
        org_code,
        profession,
        leavers_12m
    from person_counts
    where dimension = 'reason'
    union all
    select
        period,
        org_code,
        profession,
        leavers_12m
    from vcse_counts
),

totals as (
    select
        period,
        org_code,
        profession,
        sum(leavers_12m) as total_leavers_12m
    from person_totals
    group by period, org_code, profession
),

shares as (
    select
        counts.*,
        totals.total_leavers_12m,
        {{ safe_ratio('counts.leavers_12m', 'totals.total_leavers_12m') }} as share_of_leavers
    from counts
    left join totals
        on
            counts.period = totals.period
            and counts.org_code = totals.org_code
            and counts.profession = totals.profession
)

select
    shares.period,
    shares.sector,
    shares.org_code,
    organisations.org_name,
    shares.profession,
    shares.dimension,
    shares.category,
    cast({{ suppress_count('shares.leavers_12m') }} as {{ dbt.type_bigint() }}) as leavers_12m,
    {{ suppress_people_rate('shares.share_of_leavers', 'shares.leavers_12m', 'shares.total_leavers_12m') }}
        as share_of_leavers,
    coalesce(
        {{ is_small_count('shares.leavers_12m') }}
        or {{ is_small_count('shares.total_leavers_12m') }}
        or shares.total_leavers_12m < 5,
        false
    ) as is_suppressed
from shares
left join organisations on shares.org_code = organisations.org_code
