-- WRES per reporting organisation (merger successor: counts of a predecessor and its successor for the
-- same year are summed) and for the ICS (counts summed over partner trusts). Rows: each indicator's rate
-- (numerator / denominator, a fraction) for White and BME staff, and the relative likelihoods
-- 'WRES2 relative likelihood' = White rate / BME rate (appointed from shortlisting; 1.0 is parity) and
-- 'WRES3 relative likelihood' = BME rate / White rate (entering formal disciplinary). A rate is
-- suppressed when a count behind it is 1 to 4 people or its denominator is below 5; a ratio when
-- either of its rates is.
{%- set wres_labels = {
    'WRES1': 'WRES1 staff in Band 8a and above',
    'WRES2': 'WRES2 appointed from shortlisting',
    'WRES3': 'WRES3 entering the formal disciplinary process',
    'WRES4': 'WRES4 accessed non-mandatory training',
    'WRES5': 'WRES5 harassment from patients or the public',
    'WRES6': 'WRES6 harassment from staff',
    'WRES7': 'WRES7 believe the organisation offers equal opportunities',
    'WRES8': 'WRES8 discrimination from manager or colleagues',
    'WRES9': 'WRES9 voting board members',
} %}

with wres as (
    select * from {{ ref('stg_nhs_wres__indicators') }}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

reporting_organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

labels as (
    {%- for indicator, label in wres_labels.items() %}
        select
            '{{ indicator }}' as indicator,
            '{{ label }}' as measure
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

mapped as (
    select
        wres.wres_year as year,
        coalesce(organisations.reporting_org_code, wres.org_code) as org_code,
        wres.indicator,
        wres.ethnic_group,
        wres.numerator,
        wres.denominator
    from wres
    left join organisations on wres.org_code = organisations.org_code
),

by_organisation as (
    select
        mapped.year,
        coalesce(reporting_organisations.sector, 'NHS') as sector,
        mapped.org_code,
        mapped.indicator,
        mapped.ethnic_group,
        sum(mapped.numerator) as numerator,
        sum(mapped.denominator) as denominator,
        reporting_organisations.org_code is not null as is_partner
    from mapped
    left join reporting_organisations on mapped.org_code = reporting_organisations.org_code
    group by
        mapped.year, reporting_organisations.sector, mapped.org_code, reporting_organisations.org_code,
        mapped.indicator, mapped.ethnic_group
),

with_ics as (
    select * from by_organisation
    union all
    select
        year,
        'NHS' as sector,
        'ICS' as org_code,
        indicator,
        ethnic_group,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        false as is_partner
    from by_organisation
    where is_partner
    group by year, indicator, ethnic_group
),

rates as (
    select
        *,
        {{ safe_ratio('numerator', 'denominator') }} as rate,
        {{ is_small_count('numerator') }} or {{ is_small_count('denominator') }}
        or coalesce(denominator, 0) < 5 as is_suppressed
    from with_ics
),

group_rows as (
    select
        rates.year,
        rates.sector,
        rates.org_code,
        labels.measure,
        'Ethnicity' as group_type,
        rates.ethnic_group as group_value,
        rates.rate as score,
        rates.denominator as responses,
        rates.is_partner,
        rates.is_suppressed or rates.rate is null as is_suppressed
    from rates
    inner join labels on rates.indicator = labels.indicator
),

pairs as (
    select
        year,
        sector,
        org_code,
        indicator,
        is_partner,
        max(case when ethnic_group = 'White' then rate end) as white_rate,
        max(case when ethnic_group = 'BME' then rate end) as bme_rate,
        sum(denominator) as responses,
        sum(case when is_suppressed then 1 else 0 end) > 0 or count(*) < 2 as is_suppressed
    from rates
    where indicator in ('WRES2', 'WRES3')
    group by year, sector, org_code, indicator, is_partner
),

ratio_rows as (
    select
        year,
        sector,
        org_code,
        {{ dbt.concat(['indicator', "' relative likelihood'"]) }} as measure,
        'All' as group_type,
        'All' as group_value,
        case
            when indicator = 'WRES2' then {{ safe_ratio('white_rate', 'bme_rate') }}
            else {{ safe_ratio('bme_rate', 'white_rate') }}
        end as score,
        responses,
        is_partner,
        is_suppressed
    from pairs
)

select * from group_rows
union all
select
    year,
    sector,
    org_code,
    measure,
    group_type,
    group_value,
    score,
    responses,
    is_partner,
    is_suppressed or score is null as is_suppressed
from ratio_rows
