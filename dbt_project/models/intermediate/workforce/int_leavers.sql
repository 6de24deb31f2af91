-- Leavers (metrics.md KPI 3, decisions.md), one row per leaving event (period, sector, org_code,
-- person_key, leaving_date). NHS: a Permanent or Fixed Term Temp assignment ended in the month and the
-- person holds none in the organisation's snapshot of the month; profession, reason, destination and
-- demographics from the assignment that ended last (ties: the highest assignment key). A person in a
-- merged predecessor's staff in post at its end_date month is in the successor's snapshot: not a leaver.
-- ASC: a worker, not Agency, whose leave_date is in the month of the extract.
-- Lookback 3 months: a month's internal moves read staff in post up to m+3, and is_provisional changes for
-- the 3 months before a sector's newest month.
{{ config(**incremental_by_period()) }}
{#- Incremental on DuckDB and PostgreSQL (decisions.md, Incremental refresh): a refresh rebuilds the months from
    rebuild_from (the earliest month whose input changed, set by orchestration/dbt.py) minus 3.
    Without it an incremental run rebuilds every month; Spark stays a table. -#}
{%- set since = rebuild_since(lookback_months=3) %}
with esr_leavers as (
    select * from {{ ref('stg_nhs_esr_leavers__assignments') }}
    {% if since %}where period >= {{ since }}{% endif %}
),

asc_workers as (
    select * from {{ ref('stg_asc_wds_workers__workers') }}
    {% if since %}where period >= {{ since }}{% endif %}
),

staff_in_post as (
    select * from {{ ref('int_staff_in_post') }}
),

-- the months the leavers rebuilt read (m .. m+3); last_loaded reads every month
recent_staff_in_post as (
    select * from staff_in_post
    {% if since %}where period >= {{ since }}{% endif %}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

reporting_organisations as (
    select
        org_code,
        sector
    from {{ ref('int_reporting_organisations') }}
),

profession_crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
),

reason_crosswalk as (
    select * from {{ ref('leaving_reason_crosswalk') }}
),

occupation_codes as (
    select * from {{ ref('occupation_code_crosswalk') }}
),

ethnic_groups as (
    select * from {{ ref('ethnic_groups') }}
),

sip_people as (
    select distinct
        period,
        org_code,
        person_key,
        is_partner
    from recent_staff_in_post
),

esr_mapped as (
    select
        esr_leavers.*,
        coalesce(organisations.reporting_org_code, esr_leavers.org_code) as reporting_org_code,
        organisations.end_date as source_org_end_date
    from esr_leavers
    left join organisations on esr_leavers.org_code = organisations.org_code
),

-- People with a substantive assignment ended in the month and none in the organisation's snapshot.
-- The snapshot is the reporting organisation's: a merged predecessor's staff in post at its end_date
-- month are in it, so their transfer to the successor is not a leaver even when the predecessor's
-- leavers file lists them (and not a joiner the month after: int_joiners).
nhs_leaver_people as (
    select distinct
        esr_mapped.period,
        esr_mapped.reporting_org_code as org_code,
        esr_mapped.person_key
    from esr_mapped
    left join sip_people
        on
            esr_mapped.period = sip_people.period
            and esr_mapped.reporting_org_code = sip_people.org_code
            and esr_mapped.person_key = sip_people.person_key
    where
        esr_mapped.assignment_category in ('Permanent', 'Fixed Term Temp')
        and sip_people.person_key is null
),

nhs_ended as (
    select
        esr_mapped.*,
        esr_mapped.assignment_category in ('Permanent', 'Fixed Term Temp') as is_substantive
    from esr_mapped
    inner join nhs_leaver_people
        on
            esr_mapped.period = nhs_leaver_people.period
            and esr_mapped.reporting_org_code = nhs_leaver_people.org_code
            and esr_mapped.person_key = nhs_leaver_people.person_key
),

nhs_ranked as (
    select
        nhs_ended.*,
        -- the start in the organisation: the earliest start among the assignments ended that month
        min(nhs_ended.assignment_start_date) over (
            partition by nhs_ended.period, nhs_ended.reporting_org_code, nhs_ended.person_key
        ) as start_in_org,
        sum(case when nhs_ended.is_substantive then nhs_ended.fte else 0 end) over (
            partition by nhs_ended.period, nhs_ended.reporting_org_code, nhs_ended.person_key
        ) as leaver_fte,
        row_number() over (
            partition by nhs_ended.period, nhs_ended.reporting_org_code, nhs_ended.person_key
            order by
                case when nhs_ended.is_substantive then 1 else 0 end desc,
                nhs_ended.leaving_date desc,
                nhs_ended.assignment_key desc
        ) as ended_rank
    from nhs_ended
),

nhs_leavers as (
    select
        nhs_ranked.period,
        'NHS' as source_sector,
        nhs_ranked.reporting_org_code as org_code,
        nhs_ranked.org_code as source_org_code,
        nhs_ranked.person_key,
        nhs_ranked.leaving_date,
        coalesce(profession_crosswalk.profession, occupation_codes.profession, 'Unknown') as profession,
        nhs_ranked.reason_for_leaving,
        coalesce(reason_crosswalk.reason_category, 'Unknown') as reason_category,
        nhs_ranked.destination,
        nhs_ranked.age_band,
        nhs_ranked.gender,
        nhs_ranked.ethnic_group,
        nhs_ranked.disability,
        nhs_ranked.leaver_fte as fte,
        nhs_ranked.start_in_org
    from nhs_ranked
    left join profession_crosswalk
        on
            profession_crosswalk.sector = 'NHS'
            and {{ crosswalk_match('nhs_ranked.staff_group', 'profession_crosswalk') }}
    -- a staff group empty or not in the crosswalk: the occupation code's leading character
    left join occupation_codes
        on
            profession_crosswalk.profession is null
            and upper(substr(nhs_ranked.occupation_code, 1, 1)) = occupation_codes.leading_character
    left join reason_crosswalk
        on
            reason_crosswalk.sector = 'NHS'
            and {{ crosswalk_match('nhs_ranked.reason_for_leaving', 'reason_crosswalk') }}
    where nhs_ranked.ended_rank = 1
),

asc_ranked as (
    select
        asc_workers.*,
        coalesce(organisations.reporting_org_code, asc_workers.org_code) as reporting_org_code,
        row_number() over (
            partition by
                asc_workers.period,
                coalesce(organisations.reporting_org_code, asc_workers.org_code),
                asc_workers.person_key,
                asc_workers.leave_date
            order by asc_workers.worker_key desc
        ) as record_rank
    from asc_workers
    left join organisations on asc_workers.org_code = organisations.org_code
    where
        asc_workers.leave_date is not null
        and asc_workers.leave_date <= asc_workers.period
        and asc_workers.leave_date > {{ add_months('asc_workers.period', -1) }}
        and coalesce(asc_workers.contract_type, '') <> 'Agency'
),

asc_leavers as (
    select
        asc_ranked.period,
        'Adult social care' as source_sector,
        asc_ranked.reporting_org_code as org_code,
        asc_ranked.org_code as source_org_code,
        asc_ranked.person_key,
        asc_ranked.leave_date as leaving_date,
        coalesce(profession_crosswalk.profession, 'Unknown') as profession,
        asc_ranked.leave_reason as reason_for_leaving,
        coalesce(reason_crosswalk.reason_category, 'Unknown') as reason_category,
        cast(null as {{ dbt.type_string() }}) as destination,
        asc_ranked.age_band,
        asc_ranked.gender,
        asc_ranked.ethnic_group,
        cast(null as {{ dbt.type_string() }}) as disability,
        case
            when asc_ranked.contracted_hours is null then 0
            when asc_ranked.contracted_hours / 37.5 > 1 then 1
            else asc_ranked.contracted_hours / 37.5
        end as fte,
        asc_ranked.start_date_in_role as start_in_org
    from asc_ranked
    left join profession_crosswalk
        on
            profession_crosswalk.sector = 'Adult social care'
            and {{ crosswalk_match('asc_ranked.main_job_role', 'profession_crosswalk') }}
    left join reason_crosswalk
        on
            reason_crosswalk.sector = 'Adult social care'
            and {{ crosswalk_match('asc_ranked.leave_reason', 'reason_crosswalk') }}
    where asc_ranked.record_rank = 1
),

leavers as (
    select * from nhs_leavers
    union all
    select * from asc_leavers
),

-- In the staff in post of a different partner organisation at any month-end m .. m+3.
internal_moves as (
    select distinct
        leavers.period,
        leavers.org_code,
        leavers.person_key,
        leavers.leaving_date
    from leavers
    inner join sip_people
        on
            leavers.person_key = sip_people.person_key
            and leavers.org_code <> sip_people.org_code
            and sip_people.is_partner
            and leavers.period <= sip_people.period
            and sip_people.period <= {{ add_months('leavers.period', 3) }}
),

last_loaded as (
    select
        sector,
        max(period) as last_period
    from staff_in_post
    group by sector
),

flagged as (
    select
        leavers.*,
        coalesce(reporting_organisations.sector, leavers.source_sector) as sector,
        cast({{ dbt.dateadd('month', 12, 'leavers.start_in_org') }} as date) as start_plus_12_months,
        {{ dbt.datediff('leavers.start_in_org', 'leavers.leaving_date', 'day') }} as service_days,
        internal_moves.person_key is not null as is_internal_move,
        reporting_organisations.org_code is not null as is_partner
    from leavers
    left join reporting_organisations on leavers.org_code = reporting_organisations.org_code
    left join internal_moves
        on
            leavers.period = internal_moves.period
            and leavers.org_code = internal_moves.org_code
            and leavers.person_key = internal_moves.person_key
            and leavers.leaving_date = internal_moves.leaving_date
)

select
    flagged.period,
    flagged.sector,
    flagged.org_code,
    flagged.source_org_code,
    flagged.person_key,
    flagged.leaving_date,
    flagged.profession,
    flagged.reason_for_leaving,
    flagged.reason_category,
    flagged.destination,
    flagged.age_band,
    flagged.gender,
    flagged.ethnic_group,
    flagged.disability,
    ethnic_groups.is_ethnic_minority,
    cast(flagged.fte as {{ type_double() }}) as fte,
    flagged.start_in_org,
    flagged.leaving_date < flagged.start_plus_12_months as is_early_leaver,
    cast(flagged.service_days as {{ type_double() }}) / 365.25 as service_years,
    {{ service_band('flagged.service_days') }} as service_band,
    flagged.is_internal_move,
    last_loaded.last_period is null
    or {{ add_months('flagged.period', 3) }} > last_loaded.last_period as is_provisional,
    flagged.is_partner
from flagged
left join last_loaded on flagged.sector = last_loaded.sector
left join ethnic_groups on flagged.ethnic_group = ethnic_groups.ethnic_group
