-- Monthly person-level figures of NHS trusts and ASC establishments, one row per (period, sector,
-- org_code, profession), profession 'All' included (distinct people, so professions need not add up to
-- All): staff in post headcount, FTE, length of service, joiners, leavers and the stability numerator.
-- mart_turnover sums the 12-month figures from these and applies the completeness rule.
-- Lookback 3 months, int_leavers' (its is_provisional and internal moves); stayers read staff in post 12 months before.
{{ config(**incremental_by_period()) }}
{#- Incremental on DuckDB and PostgreSQL (decisions.md, Incremental refresh): a refresh rebuilds the months from
    rebuild_from (set by orchestration/dbt.py) minus the lookback. Without it an incremental run
    rebuilds every month; Spark stays a table. -#}
{%- set since = rebuild_since(lookback_months=3) %}
with staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
    {% if since %}where period >= {{ add_months(since, -12) }}{% endif %}
),

joiners as (
    select * from {{ ref('int_joiners') }}
    {% if since %}where period >= {{ since }}{% endif %}
),

leavers as (
    select * from {{ ref('int_leavers') }}
    {% if since %}where period >= {{ since }}{% endif %}
),

people as (
    select
        period,
        sector,
        org_code,
        person_key,
        sum(fte) as fte,
        min(service_start_date) as service_start_date
    from staff_in_post
    group by period, sector, org_code, person_key
),

sip_long as (
    select
        staff_in_post.period,
        staff_in_post.sector,
        staff_in_post.org_code,
        staff_in_post.person_key,
        staff_in_post.profession,
        staff_in_post.fte,
        people.service_start_date
    from staff_in_post
    inner join people using (period, org_code, person_key)
    union all
    select
        period,
        sector,
        org_code,
        person_key,
        'All' as profession,
        fte,
        service_start_date
    from people
),

-- Staff in post counted per length of service in days, once: the figures and the median both read these
-- counts. The median is percentile_cont(0.5)'s, found from the counts, because DuckDB holds an ordered
-- aggregate's values in memory and cannot spill them: percentile_cont over every person ran out of memory at
-- region under a 4 GB limit (issue #25), while these counts spill like any aggregate.
service_day_counts as (
    select
        period,
        sector,
        org_code,
        profession,
        {{ dbt.datediff('service_start_date', 'period', 'day') }} as service_days,
        count(*) as people,
        sum(fte) as fte
    from sip_long
    {% if since %}where period >= {{ since }}{% endif %}
    group by period, sector, org_code, profession, service_days
),

sip_figures as (
    select
        period,
        sector,
        org_code,
        profession,
        {#- the bands of macro service_band, one column each -#}
        {%- for band, column in service_band_columns() %}
            sum(case when {{ service_band('service_days') }} = '{{ band }}' then people else 0 end) as {{ column }},
        {%- endfor %}
        sum(people) as headcount,
        sum(fte) as fte
    from service_day_counts
    group by period, sector, org_code, profession
),

service_day_ranks as (
    select
        period,
        org_code,
        profession,
        service_days,
        sum(people) over (
            partition by period, org_code, profession order by service_days rows unbounded preceding
        ) as people_through,
        sum(people) over (partition by period, org_code, profession) as people_stated
    from service_day_counts
    where service_days is not null
),

-- the middle value(s) in days: the first whose running count passes (n - 1) / 2, and n / 2
median_service_days as (
    select
        period,
        org_code,
        profession,
        min(case when 2 * people_through > people_stated - 1 then service_days end) as lower_days,
        min(case when 2 * people_through > people_stated then service_days end) as upper_days
    from service_day_ranks
    group by period, org_code, profession
),

joiners_long as (
    select
        period,
        sector,
        org_code,
        person_key,
        profession
    from joiners
    union all
    select distinct
        period,
        sector,
        org_code,
        person_key,
        'All' as profession
    from joiners
),

joiner_figures as (
    select
        period,
        sector,
        org_code,
        profession,
        count(*) as joiners
    from joiners_long
    group by period, sector, org_code, profession
),

leavers_long as (
    select
        period,
        sector,
        org_code,
        profession,
        fte,
        is_early_leaver,
        is_internal_move,
        is_provisional
    from leavers
    union all
    select
        period,
        sector,
        org_code,
        'All' as profession,
        fte,
        is_early_leaver,
        is_internal_move,
        is_provisional
    from leavers
),

leaver_figures as (
    select
        period,
        sector,
        org_code,
        profession,
        count(*) as leavers,
        sum(fte) as leavers_fte,
        sum(case when is_early_leaver then 1 else 0 end) as early_leavers,
        sum(case when is_internal_move then 1 else 0 end) as internal_moves,
        sum(case when is_provisional then 1 else 0 end) as provisional_leavers
    from leavers_long
    group by period, sector, org_code, profession
),

-- People in (org, profession) a year before who are in the organisation's staff in post now.
stayer_figures as (
    select
        people.period,
        people.sector,
        people.org_code,
        year_before.profession,
        count(*) as stayers_12m
    from sip_long as year_before
    inner join people
        on
            year_before.org_code = people.org_code
            and year_before.person_key = people.person_key
            and people.period = {{ add_months('year_before.period', 12) }}
    {% if since %}where people.period >= {{ since }}{% endif %}
    group by people.period, people.sector, people.org_code, year_before.profession
),

keys as (
    {%- for figures in ['sip_figures', 'joiner_figures', 'leaver_figures', 'stayer_figures'] %}
        select
            period,
            sector,
            org_code,
            profession
        from {{ figures }}
        {% if not loop.last %}union{% endif %}
    {%- endfor %}
)

select
    keys.period,
    keys.sector,
    keys.org_code,
    keys.profession,
    coalesce(sip_figures.headcount, 0) as headcount,
    cast(coalesce(sip_figures.fte, 0) as {{ type_double() }}) as fte,
    -- the mean of the middle values as DuckDB's percentile_cont computes it, to the bit (lower + 0.5 * (upper -
    -- lower), PostgreSQL's formula, differs from it in the last bit in 3% of grains)
    (
        cast(median_service_days.lower_days as {{ type_double() }}) / 365.25
        + cast(median_service_days.upper_days as {{ type_double() }}) / 365.25
    ) / 2 as median_service_years,
    {%- for _, column in service_band_columns() %}
        coalesce(sip_figures.{{ column }}, 0) as {{ column }},
    {%- endfor %}
    coalesce(joiner_figures.joiners, 0) as joiners,
    coalesce(leaver_figures.leavers, 0) as leavers,
    cast(coalesce(leaver_figures.leavers_fte, 0) as {{ type_double() }}) as leavers_fte,
    coalesce(leaver_figures.early_leavers, 0) as early_leavers,
    coalesce(leaver_figures.internal_moves, 0) as internal_moves,
    coalesce(leaver_figures.provisional_leavers, 0) as provisional_leavers,
    coalesce(stayer_figures.stayers_12m, 0) as stayers_12m
from keys
left join sip_figures using (period, org_code, profession)
left join median_service_days using (period, org_code, profession)
left join joiner_figures using (period, org_code, profession)
left join leaver_figures using (period, org_code, profession)
left join stayer_figures using (period, org_code, profession)
