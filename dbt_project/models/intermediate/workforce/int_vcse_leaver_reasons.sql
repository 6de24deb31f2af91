-- VCSE leavers in the 12 months to a quarter-end M by harmonised reason, per organisation ('All' only):
-- the Leaving reasons sheets of the four quarters of W (M-9, M-6, M-3, M) mapped through
-- leaving_reason_crosswalk, where int_organisation_windows finds the five quarter-ends M-12 .. M complete.
-- Leavers of the Workforce sheet that the reason sheets do not explain (a sheet not sent, a CSV sender)
-- count as 'Unknown', so the reasons add up to the leavers. Categories with no leavers have no row.
-- UNSUPPRESSED, in int_leaver_counts' layout: int_leavers_by_level adds them to the NHS and ASC counts.
with vcse_reasons as (
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
            and {{ in_12m_window('vcse_reasons.period', 'vcse_windows.period') }}
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
            and {{ in_12m_window('vcse_quarters.period', 'vcse_windows.period') }}
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
    left join vcse_explained using (period, org_code)
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
)

select * from vcse_counts
