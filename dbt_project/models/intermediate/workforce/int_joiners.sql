-- Joiners (metrics.md KPI 1): a person in organisation O's staff in post at month m who was not in O's
-- staff in post at m-1, one row per (period, sector, org_code, person_key, profession held at m). Only
-- months whose previous snapshot is a complete accepted return (every constituent of a merged
-- organisation). Merged organisations are one organisation, so a person moving from the predecessor to
-- its successor at the merger is not a joiner; a change of profession inside O is not a joiner.
-- Lookback none: a change at month R changes the joiners of R and R+1 only (completeness from audit.load_log).
{{ config(**incremental_by_period()) }}
{#- Incremental on DuckDB and PostgreSQL (decisions.md, Incremental refresh): a refresh rebuilds the months from
    rebuild_from (set by orchestration/dbt.py) minus the lookback. Without it an incremental run
    rebuilds every month; Spark stays a table. -#}
{%- set since = rebuild_since() %}
with staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
    {% if since %}where period >= {{ add_months(since, -1) }}{% endif %}
),

completeness as (
    select * from {{ ref('int_return_completeness') }}
    where source_name in ('nhs_esr_staff', 'asc_wds_workers') and is_complete
),

people as (
    select distinct
        period,
        sector,
        org_code,
        person_key
    from staff_in_post
),

previous_month_complete as (
    select
        reporting_org_code as org_code,
        {{ add_months('period', 1) }} as period
    from completeness
),

new_people as (
    select
        people.period,
        people.sector,
        people.org_code,
        people.person_key
    from people
    inner join previous_month_complete using (org_code, period)
    left join people as previous
        on
            people.org_code = previous.org_code
            and people.person_key = previous.person_key
            and previous.period = {{ add_months('people.period', -1) }}
    where
        previous.person_key is null
        {% if since %}and people.period >= {{ since }}{% endif %}
)

select
    staff_in_post.period,
    staff_in_post.sector,
    staff_in_post.org_code,
    staff_in_post.person_key,
    staff_in_post.profession,
    staff_in_post.fte,
    staff_in_post.service_start_date,
    staff_in_post.age_band,
    staff_in_post.gender,
    staff_in_post.ethnic_group,
    staff_in_post.disability,
    staff_in_post.is_ethnic_minority,
    staff_in_post.is_partner
from new_people
inner join staff_in_post using (period, org_code, person_key)
