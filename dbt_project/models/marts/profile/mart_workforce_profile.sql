-- Who the workforce is (metrics.md): staff in post at the period by dimension and category, per
-- organisation, sector (org_code 'ICS') and System (sector 'System'), by profession and pay band group
-- ('All' included), from int_profile_counts. The residence IMD deciles publish 1 .. 10 only (people whose
-- return did not send one are the total's remainder). Disclosure control per value: headcounts of 1-4 are
-- NULL, and so is a share over such a count or over fewer than 5 people.
with counts as (
    select * from {{ ref('int_profile_counts') }}
    where not (dimension = 'residence_imd_decile' and category = 'Not collected')
),

organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

shares as (
    select
        counts.*,
        case when counts.dimension <> 'All' then {{ safe_ratio('counts.headcount', 'counts.people') }} end as share,
        {{ safe_ratio('counts.aged_55_plus', 'counts.people') }} as share_aged_55_plus,
        {{ safe_ratio('counts.imd_1_2', 'counts.imd_stated') }} as share_imd_1_2
    from counts
)

select
    shares.period,
    shares.sector,
    shares.org_code,
    organisations.org_name,
    shares.profession,
    shares.pay_band_group,
    shares.dimension,
    shares.category,
    cast({{ suppress_count('shares.headcount') }} as {{ dbt.type_bigint() }}) as headcount,
    {{ suppress_people_rate('shares.share', 'shares.headcount', 'shares.people') }} as share,
    cast({{ suppress_count('shares.aged_55_plus') }} as {{ dbt.type_bigint() }}) as headcount_aged_55_plus,
    {{ suppress_people_rate('shares.share_aged_55_plus', 'shares.aged_55_plus', 'shares.people') }}
        as share_aged_55_plus,
    cast({{ suppress_count('shares.imd_stated') }} as {{ dbt.type_bigint() }}) as headcount_imd_stated,
    cast({{ suppress_count('shares.imd_1_2') }} as {{ dbt.type_bigint() }}) as headcount_imd_1_2,
    {{ suppress_people_rate('shares.share_imd_1_2', 'shares.imd_1_2', 'shares.imd_stated') }} as share_imd_1_2,
    cast(shares.orgs_reporting as {{ dbt.type_bigint() }}) as orgs_reporting,
    {#- a value suppressed: computable here, NULL as published -#}
    coalesce(
        {{ is_small_count('shares.headcount') }}
        or {{ is_small_count('shares.aged_55_plus') }}
        or {{ is_small_count('shares.imd_stated') }}
        or {{ is_small_count('shares.imd_1_2') }}
        or shares.share is not null
        and {{ suppress_people_rate('shares.share', 'shares.headcount', 'shares.people') }} is null
        or shares.share_aged_55_plus is not null
        and {{ suppress_people_rate('shares.share_aged_55_plus', 'shares.aged_55_plus', 'shares.people') }} is null
        or shares.share_imd_1_2 is not null
        and {{ suppress_people_rate('shares.share_imd_1_2', 'shares.imd_1_2', 'shares.imd_stated') }} is null,
        false
    ) as is_suppressed
from shares
left join organisations on shares.org_code = organisations.org_code
