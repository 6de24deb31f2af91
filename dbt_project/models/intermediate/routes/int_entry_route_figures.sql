-- The figures of mart_entry_routes before disclosure control (metrics.md, "How people enter and stay"), one
-- row per (period, sector, org_code, profession, route), route 'All' included, for every NHS trust and ASC
-- establishment with monthly figures in M-12 .. M (int_workforce_windows), then per sector (org_code 'ICS')
-- and for the System (sector 'System', org_code 'ICS') summed over the partners whose figure is known.
-- joiners_12m: joinings in W = M-11 .. M (returns complete over M-12 .. M, int_organisation_windows).
-- cohort_12m, retained_org_12m, retained_system_12m: int_joiner_cohorts, needing complete returns over
-- M-24 .. M (the windows at M and at M-12). retire_and_return_12m ('All' routes only): retirement leavers of W
-- who returned (int_retire_and_return), needing the leavers' window; provisional while the snapshots up to
-- twelve month-ends after a leaving are not all in. A figure whose returns are incomplete is NULL.
-- orgs_sending_route_columns: the organisations whose joiners came with the optional route columns
-- (returns.md); elsewhere every joiner who is not a retire and return is 'Other'.
with windows as (
    select * from {{ ref('int_workforce_windows') }}
    where sector in ('NHS', 'Adult social care')
),

org_windows as (
    select * from {{ ref('int_organisation_windows') }}
),

joinings as (
    select * from {{ ref('int_joinings_by_route') }}
),

cohorts as (
    select * from {{ ref('int_joiner_cohorts') }}
),

retirements as (
    select * from {{ ref('int_retire_and_return') }}
),

partners as (
    select org_code from {{ ref('int_reporting_organisations') }}
),

routes as (
    select 'Retire and return' as route
    union all
    select 'Apprentice' as route
    union all
    select 'International recruit' as route
    union all
    select 'Other' as route
),

-- each window (organisation, profession, month) with the joinings of its 12 months
window_joinings as (
    select
        windows.period,
        windows.org_code,
        windows.profession,
        joinings.route,
        joinings.has_route_columns
    from windows
    inner join joinings
        on
            windows.org_code = joinings.org_code
            and windows.profession = joinings.profession
            and {{ in_12m_window('joinings.period', 'windows.period') }}
),

joiner_counts as (
    select
        period,
        org_code,
        profession,
        route,
        count(*) as joiners_12m
    from window_joinings
    group by period, org_code, profession, route
),

-- coverage: whether the organisation's joiners of W came with the optional route columns
route_senders as (
    select
        period,
        org_code,
        max(case when has_route_columns then 1 else 0 end) as sends_route_columns
    from window_joinings
    where profession = 'All'
    group by period, org_code
),

cohort_counts as (
    select
        period,
        sector,
        org_code,
        profession,
        route,
        count(*) as cohort_12m,
        sum(case when is_retained_org then 1 else 0 end) as retained_org_12m,
        sum(case when is_retained_system then 1 else 0 end) as retained_system_12m
    from cohorts
    group by period, sector, org_code, profession, route
),

-- every (period, organisation, profession) with monthly figures in M-12 .. M or a cohort in M-23 .. M-12
grid as (
    select
        period,
        sector,
        org_code,
        profession
    from windows
    union
    select
        period,
        sector,
        org_code,
        profession
    from cohort_counts
),

retirement_rows as (
    select
        windows.period,
        windows.org_code,
        windows.profession,
        retirements.has_returned,
        retirements.is_provisional
    from windows
    inner join retirements
        on
            windows.org_code = retirements.org_code
            and (windows.profession = retirements.profession or windows.profession = 'All')
            and windows.period >= retirements.period
            and retirements.period > {{ add_months('windows.period', -12) }}
),

retirement_counts as (
    select
        period,
        org_code,
        profession,
        sum(case when has_returned then 1 else 0 end) as retire_and_return_12m,
        max(case when is_provisional then 1 else 0 end) = 1 as is_provisional
    from retirement_rows
    group by period, org_code, profession
),

by_route as (
    select
        windows.period,
        windows.sector,
        windows.org_code,
        windows.profession,
        routes.route,
        case when org_windows.staff_window_complete then coalesce(joiner_counts.joiners_12m, 0) end as joiners_12m,
        case
            when org_windows.staff_window_complete and cohort_windows.staff_window_complete
                then coalesce(cohort_counts.cohort_12m, 0)
        end as cohort_12m,
        case
            when org_windows.staff_window_complete and cohort_windows.staff_window_complete
                then coalesce(cohort_counts.retained_org_12m, 0)
        end as retained_org_12m,
        case
            when org_windows.staff_window_complete and cohort_windows.staff_window_complete
                then coalesce(cohort_counts.retained_system_12m, 0)
        end as retained_system_12m
    from grid as windows
    cross join routes
    left join org_windows using (period, org_code)
    left join org_windows as cohort_windows
        on
            cohort_windows.period = {{ add_months('windows.period', -12) }}
            and windows.org_code = cohort_windows.org_code
    left join joiner_counts
        on
            windows.period = joiner_counts.period
            and windows.org_code = joiner_counts.org_code
            and windows.profession = joiner_counts.profession
            and routes.route = joiner_counts.route
    left join cohort_counts
        on
            windows.period = cohort_counts.period
            and windows.org_code = cohort_counts.org_code
            and windows.profession = cohort_counts.profession
            and routes.route = cohort_counts.route
),

all_routes as (
    select
        by_route.period,
        by_route.sector,
        by_route.org_code,
        by_route.profession,
        'All' as route,
        sum(by_route.joiners_12m) as joiners_12m,
        sum(by_route.cohort_12m) as cohort_12m,
        sum(by_route.retained_org_12m) as retained_org_12m,
        sum(by_route.retained_system_12m) as retained_system_12m
    from by_route
    group by by_route.period, by_route.sector, by_route.org_code, by_route.profession
),

organisation_routes as (
    select
        by_route.*,
        cast(null as {{ dbt.type_bigint() }}) as retire_and_return_12m,
        false as is_provisional
    from by_route
    union all
    select
        all_routes.*,
        case
            when org_windows.leavers_window_complete then coalesce(retirement_counts.retire_and_return_12m, 0)
        end as retire_and_return_12m,
        coalesce(org_windows.leavers_window_complete and retirement_counts.is_provisional, false) as is_provisional
    from all_routes
    left join org_windows
        on
            all_routes.period = org_windows.period
            and all_routes.org_code = org_windows.org_code
    left join retirement_counts
        on
            all_routes.period = retirement_counts.period
            and all_routes.org_code = retirement_counts.org_code
            and all_routes.profession = retirement_counts.profession
),

organisation_rows as (
    select
        organisation_routes.*,
        case when organisation_routes.joiners_12m is not null then 1 else 0 end as orgs_reporting,
        case
            when organisation_routes.joiners_12m is not null then coalesce(route_senders.sends_route_columns, 0)
            else 0
        end as orgs_sending_route_columns
    from organisation_routes
    left join route_senders
        on
            organisation_routes.period = route_senders.period
            and organisation_routes.org_code = route_senders.org_code
),

partner_rows as (
    select organisation_rows.*
    from organisation_rows
    inner join partners on organisation_rows.org_code = partners.org_code
),

-- each partner row counts in its sector row (org_code 'ICS') and in the System row
levels as (
    select 'sector' as level
    union all
    select 'System' as level
),

ics_rows as (
    select
        partner_rows.period,
        case when levels.level = 'System' then 'System' else partner_rows.sector end as sector,
        'ICS' as org_code,
        partner_rows.profession,
        partner_rows.route,
        sum(partner_rows.joiners_12m) as joiners_12m,
        sum(partner_rows.cohort_12m) as cohort_12m,
        sum(partner_rows.retained_org_12m) as retained_org_12m,
        sum(partner_rows.retained_system_12m) as retained_system_12m,
        sum(partner_rows.retire_and_return_12m) as retire_and_return_12m,
        max(case when partner_rows.is_provisional then 1 else 0 end) = 1 as is_provisional,
        sum(partner_rows.orgs_reporting) as orgs_reporting,
        sum(partner_rows.orgs_sending_route_columns) as orgs_sending_route_columns
    from partner_rows
    cross join levels
    group by
        partner_rows.period,
        case when levels.level = 'System' then 'System' else partner_rows.sector end,
        partner_rows.profession,
        partner_rows.route
)

select * from organisation_rows
union all
select * from ics_rows
