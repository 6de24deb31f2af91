-- Staff in post (metrics.md) of NHS trusts and ASC establishments, one row per (period, sector,
-- org_code, person_key, profession), from the SIP records of int_staff_in_post_assignments (which holds the
-- rule). Each month depends on that month's returns only: no lookback.
{{ config(**incremental_by_period()) }}
{#- Incremental on DuckDB and PostgreSQL (decisions.md, Incremental refresh): a refresh rebuilds the months from
    rebuild_from (the earliest month whose input changed, set by orchestration/dbt.py) minus 0.
    Without it an incremental run rebuilds every month; Spark stays a table. -#}
{%- set since = rebuild_since() %}
with assignments as (
    select * from {{ ref('int_staff_in_post_assignments') }}
    {% if since %}where period >= {{ since }}{% endif %}
),

reporting_organisations as (
    select
        org_code,
        sector
    from {{ ref('int_reporting_organisations') }}
),

ethnic_groups as (
    select * from {{ ref('ethnic_groups') }}
),

ranked as (
    select
        assignments.*,
        min(assignments.start_date)
            over (partition by assignments.period, assignments.org_code, assignments.person_key)
            as service_start_date,
        row_number() over (
            partition by assignments.period, assignments.org_code, assignments.person_key
            order by assignments.start_date desc, assignments.record_key desc
        ) as person_rank
    from assignments
),

person_attributes as (
    select
        period,
        org_code,
        person_key,
        age_band,
        gender,
        ethnic_group,
        disability
    from ranked
    where person_rank = 1
),

by_profession as (
    select
        period,
        org_code,
        person_key,
        profession,
        min(source_sector) as source_sector,
        min(source_org_code) as source_org_code,
        sum(fte) as fte,
        min(service_start_date) as service_start_date,
        count(*) as records,
        -- the optional route columns (returns.md): Yes on any of the profession's records; NULL when no
        -- record carries a value (a return without the column)
        max(case when apprentice = 'Yes' then 1 when apprentice is not null then 0 end) as apprentice_flag,
        max(case when international_recruit = 'Yes' then 1 when international_recruit is not null then 0 end)
            as international_recruit_flag
    from ranked
    group by period, org_code, person_key, profession
)

select
    by_profession.period,
    coalesce(reporting_organisations.sector, by_profession.source_sector) as sector,
    by_profession.org_code,
    by_profession.source_org_code,
    by_profession.person_key,
    by_profession.profession,
    cast(by_profession.fte as {{ type_double() }}) as fte,
    by_profession.records,
    by_profession.service_start_date,
    person_attributes.age_band,
    person_attributes.gender,
    person_attributes.ethnic_group,
    person_attributes.disability,
    ethnic_groups.is_ethnic_minority,
    reporting_organisations.org_code is not null as is_partner,
    by_profession.apprentice_flag = 1 as is_apprentice,
    by_profession.international_recruit_flag = 1 as is_international_recruit
from by_profession
inner join person_attributes using (period, org_code, person_key)
left join reporting_organisations on by_profession.org_code = reporting_organisations.org_code
left join ethnic_groups on person_attributes.ethnic_group = ethnic_groups.ethnic_group
