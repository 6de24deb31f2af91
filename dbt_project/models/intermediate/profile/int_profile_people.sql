-- The workforce profile's people (metrics.md, "Who the workforce is"): one row per (period, sector,
-- org_code, profession, pay_band_group, person_key) for every grain a staff-in-post record belongs to:
-- its organisation, its sector (org_code 'ICS') and the System (sector 'System', org_code 'ICS'), each by
-- its profession and 'All', and by its pay band group and 'All'. Sector and System grains hold partners
-- only. Within a grain a person counts once, under their main assignment there: highest FTE, then earliest
-- start (then organisation and record, so the choice is stable). The row carries that assignment's
-- categories: an attribute the return did not carry (an optional column left out, ASC disability) is
-- 'Not collected'. pay_band_group: NHS Band 1-4, Band 5-7, Band 8a-9, Medical, Other; ASC All.
{{ config(**incremental_by_period()) }}
{#- Incremental (decisions.md, Incremental refresh): every grain is one month's, so a refresh rebuilds the
    months from rebuild_from, with no lookback. -#}
{%- set since = rebuild_since() %}
with assignments as (
    select * from {{ ref('int_staff_in_post_assignments') }}
    {% if since %}where period >= {{ since }}{% endif %}
),

reporting_organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

records as (
    select
        assignments.period,
        coalesce(reporting_organisations.sector, assignments.source_sector) as sector,
        assignments.org_code,
        reporting_organisations.org_code is not null as is_partner,
        assignments.person_key,
        assignments.record_key,
        assignments.profession,
        assignments.fte,
        assignments.start_date,
        case
            when assignments.source_sector <> 'NHS' then 'All'
            when assignments.afc_band in ('Band 1', 'Band 2', 'Band 3', 'Band 4') then 'Band 1-4'
            when assignments.afc_band in ('Band 5', 'Band 6', 'Band 7') then 'Band 5-7'
            when
                assignments.afc_band in ('Band 8a', 'Band 8b', 'Band 8c', 'Band 8d', 'Band 9')
                then 'Band 8a-9'
            when assignments.afc_band = 'Medical' then 'Medical'
            else 'Other'
        end as pay_band_group,
        assignments.age_band,
        assignments.gender,
        assignments.ethnic_group,
        assignments.disability,
        assignments.nationality_group,
        assignments.residence_imd_decile,
        assignments.contract,
        min(assignments.start_date)
            over (partition by assignments.period, assignments.org_code, assignments.person_key)
            as service_start_date,
        -- the person's records of the month, best first; in every grain the first of them there is the main
        row_number() over (
            partition by assignments.period, assignments.person_key
            order by
                assignments.fte desc, assignments.start_date asc, assignments.org_code asc, assignments.record_key asc
        ) as person_order
    from assignments
    left join reporting_organisations on assignments.org_code = reporting_organisations.org_code
),

banded as (
    select
        records.*,
        {{ service_band(dbt.datediff('records.service_start_date', 'records.period', 'day')) }} as service_band
    from records
),

levels as (
    select 'organisation' as level
    union all
    select 'sector' as level
    union all
    select 'System' as level
),

splits as (
    select
        true as by_profession,
        true as by_band
    union all
    select
        true as by_profession,
        false as by_band
    union all
    select
        false as by_profession,
        true as by_band
    union all
    select
        false as by_profession,
        false as by_band
),

kinds as (
    select
        levels.level,
        splits.by_profession,
        splits.by_band
    from levels
    cross join splits
),

{# Why not a row_number over every grain: that sorts every (record, grain) pair, ten times the records, with
    their categories (65 GB of spill at region scale, issue #25). A person's few records are compared here
    instead, and the grains are a filter on a stream. -#}
outranked as (
    -- (record, kind of grain) where a better record of the same person is in the same grain
    select distinct
        records.period,
        records.person_key,
        records.person_order,
        kinds.level,
        kinds.by_profession,
        kinds.by_band
    from records
    inner join records as better
        on
            records.period = better.period
            and records.person_key = better.person_key
            and records.person_order > better.person_order
    cross join kinds
    where
        (
            (kinds.level = 'organisation' and better.org_code = records.org_code)
            or (kinds.level = 'sector' and better.is_partner and better.sector = records.sector)
            or (kinds.level = 'System' and better.is_partner)
        )
        and (not kinds.by_profession or better.profession = records.profession)
        and (not kinds.by_band or better.pay_band_group = records.pay_band_group)
),

grains as (
    select
        records.*,
        case when kinds.level = 'System' then 'System' else records.sector end as grain_sector,
        case when kinds.level = 'organisation' then records.org_code else 'ICS' end as grain_org_code,
        case when kinds.by_profession then records.profession else 'All' end as grain_profession,
        case when kinds.by_band then records.pay_band_group else 'All' end as grain_pay_band_group
    from banded as records
    cross join kinds
    left join outranked
        on
            records.period = outranked.period
            and records.person_key = outranked.person_key
            and records.person_order = outranked.person_order
            and kinds.level = outranked.level
            and kinds.by_profession = outranked.by_profession
            and kinds.by_band = outranked.by_band
    where
        outranked.person_key is null
        -- sector and System grains hold partners only
        and (kinds.level = 'organisation' or records.is_partner)
        -- ASC's pay band group is All already: its by-band grain is its All grain
        and not (kinds.by_band and records.pay_band_group = 'All')
)

select
    period,
    grain_sector as sector,
    grain_org_code as org_code,
    grain_profession as profession,
    grain_pay_band_group as pay_band_group,
    person_key,
    org_code as main_org_code,
    record_key as main_record_key,
    coalesce(age_band, 'Not collected') as age_band,
    coalesce(gender, 'Not collected') as gender,
    coalesce(ethnic_group, 'Not collected') as ethnic_group,
    coalesce(disability, 'Not collected') as disability,
    coalesce(nationality_group, 'Not collected') as nationality_group,
    coalesce(service_band, 'Not collected') as service_band,
    coalesce(contract, 'Not collected') as contract,
    pay_band_group as pay_band_category,
    residence_imd_decile
from grains
