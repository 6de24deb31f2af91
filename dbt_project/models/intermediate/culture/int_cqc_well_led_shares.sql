-- Share of the ICS's CQC-rated locations rated Good or Outstanding for Well-led, per sector and year,
-- from the year's last snapshot loaded (December, or the latest month of a year still running). NHS
-- locations carry the ODS code of a partner trust (or its predecessor); ASC locations are the
-- cqc_location_id of a partner establishment. Locations are not people: nothing is suppressed.
with ratings as (
    select * from {{ ref('stg_cqc_ratings__ratings') }}
    where domain = 'Well-led'
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

establishments as (
    select distinct establishments.cqc_location_id
    from {{ ref('stg_asc_wds_establishments__job_roles') }} as establishments
    inner join organisations on establishments.org_code = organisations.org_code
    where establishments.cqc_location_id is not null
),

snapshots as (
    select
        extract(year from period) as snapshot_year,
        max(period) as period
    from ratings
    group by extract(year from period)
),

partner_ratings as (
    select
        ratings.period,
        case when ratings.ods_code is not null then 'NHS' else 'Adult social care' end as sector,
        ratings.location_id,
        ratings.rating
    from ratings
    inner join snapshots on ratings.period = snapshots.period
    left join organisations on ratings.ods_code = organisations.org_code
    left join establishments on ratings.location_id = establishments.cqc_location_id
    where
        (ratings.ods_code is not null and organisations.org_code is not null)
        or (ratings.ods_code is null and establishments.cqc_location_id is not null)
),

shares as (
    select
        period,
        sector,
        sum(case when rating in ('Good', 'Outstanding') then 1 else 0 end) as good_or_outstanding,
        count(*) as rated_locations
    from partner_ratings
    group by period, sector
)

select
    cast(extract(year from period) as {{ dbt.type_int() }}) as year,
    period as snapshot_period,
    sector,
    'ICS' as org_code,
    {{ dbt.concat(["'CQC well-led Good or Outstanding share ('", 'sector', "')'"]) }} as measure,
    'All' as group_type,
    'All' as group_value,
    {{ safe_ratio('good_or_outstanding', 'rated_locations') }} as score,
    good_or_outstanding,
    rated_locations as responses,
    false as is_partner,
    false as is_suppressed
from shares
