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
    months from the var rebuild_from, with no lookback. -#}
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
            as service_start_date
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
    select
        records.*,
        records.sector as grain_sector,
        records.org_code as grain_org_code
    from banded as records
    union all
    select
        records.*,
        records.sector as grain_sector,
        'ICS' as grain_org_code
    from banded as records
    where records.is_partner
    union all
    select
        records.*,
        'System' as grain_sector,
        'ICS' as grain_org_code
    from banded as records
    where records.is_partner
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

grains as (
    select
        levels.*,
        case when splits.by_profession then levels.profession else 'All' end as grain_profession,
        case when splits.by_band then levels.pay_band_group else 'All' end as grain_pay_band_group
    from levels
    cross join splits
    -- ASC's pay band group is All already: its by-band grain is its All grain
    where not (splits.by_band and levels.pay_band_group = 'All')
),

ranked as (
    select
        grains.*,
        row_number() over (
            partition by
                grains.period,
                grains.grain_sector,
                grains.grain_org_code,
                grains.grain_profession,
                grains.grain_pay_band_group,
                grains.person_key
            order by grains.fte desc, grains.start_date asc, grains.org_code asc, grains.record_key asc
        ) as assignment_rank
    from grains
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
from ranked
where assignment_rank = 1
