-- Each organisation of NHS England's sickness file with its rate recomputed from days lost and days
-- available, and the rates of its region, its organisation type and England as sums of days over sums
-- of days (never an average of rates). England counts every row of the file: trusts, ICBs,
-- commissioning support units and the national bodies ('Others'), as NHS England's own total does;
-- england_trust_rate counts the four trust types only.
with published as (
    select * from {{ ref('stg_nhs_published_sickness__organisations') }}
),

flagged as (
    select
        *,
        org_type in ('Acute', 'Ambulance', 'Community Provider Trust', 'Mental Health') as is_trust
    from published
),

sums as (
    select
        *,
        sum(fte_days_lost) over (partition by period, region_code) as region_days_lost,
        sum(fte_days_available) over (partition by period, region_code) as region_days_available,
        sum(fte_days_lost) over (partition by period, org_type) as org_type_days_lost,
        sum(fte_days_available) over (partition by period, org_type) as org_type_days_available,
        sum(fte_days_lost) over (partition by period) as england_days_lost,
        sum(fte_days_available) over (partition by period) as england_days_available,
        sum(case when is_trust then fte_days_lost else 0 end) over (partition by period) as trust_days_lost,
        sum(case when is_trust then fte_days_available else 0 end) over (partition by period)
            as trust_days_available
    from flagged
),

rated as (
    select
        period,
        org_code,
        org_name,
        org_type,
        region_code,
        region_name,
        ics_code,
        ics_name,
        fte_days_lost,
        fte_days_available,
        {{ safe_ratio('fte_days_lost', 'fte_days_available') }} as sickness_rate,
        published_rate_percent / 100.0 as published_rate,
        {{ safe_ratio('region_days_lost', 'region_days_available') }} as region_rate,
        {{ safe_ratio('england_days_lost', 'england_days_available') }} as england_rate,
        {{ safe_ratio('trust_days_lost', 'trust_days_available') }} as england_trust_rate,
        {{ safe_ratio('org_type_days_lost', 'org_type_days_available') }} as org_type_rate
    from sums
),

ranked as (
    select
        period,
        org_code,
        percent_rank() over (partition by period, org_type order by sickness_rate) as percentile_in_org_type
    from rated
    where sickness_rate is not null
)

select
    rated.*,
    ranked.percentile_in_org_type
from rated
left join ranked
    on
        rated.period = ranked.period
        and rated.org_code = ranked.org_code
