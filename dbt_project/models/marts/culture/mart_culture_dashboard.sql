-- The Culture and Inclusion Dashboard: staff survey scores and group gaps, WRES, workforce disparity
-- ratios, CQC well-led shares and VCSE pulse scores, per year and organisation, with the ICS's own rows
-- (org_code 'ICS'), last year's published score, the change and the median over partner organisations.
{%- set sources = [
    'int_survey_scores_merged',
    'int_wres_indicators_scored',
    'int_workforce_disparity_december',
    'int_cqc_well_led_shares',
    'int_vcse_pulse_scored',
] %}

with measures as (
    {%- for model in sources %}
        select
            year,
            sector,
            org_code,
            measure,
            group_type,
            group_value,
            score,
            responses,
            -- CQC rows count rated locations, every other source counts people
            {{ 'false' if model == 'int_cqc_well_led_shares' else 'true' }} as responses_are_people,
            is_partner,
            is_suppressed
        from {{ ref(model) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

published as (
    select
        cast(year as {{ dbt.type_int() }}) as year,
        sector,
        org_code,
        measure,
        group_type,
        group_value,
        case when is_suppressed then null else cast(score as {{ type_double() }}) end as score,
        -- a count of 1 to 4 people is itself disclosive (metrics.md); a count of locations is not
        cast(
            case when responses_are_people and {{ is_small_count('responses') }} then null else responses end
            as {{ dbt.type_bigint() }}
        ) as responses,
        is_partner,
        is_suppressed
    from measures
),

medians as (
    select
        year,
        measure,
        group_type,
        group_value,
        percentile_cont(0.5) within group (order by score) as ics_median
    from published
    where is_partner and score is not null
    group by year, measure, group_type, group_value
)

select
    published.year,
    published.sector,
    published.org_code,
    case when published.org_code = 'ICS' then 'Whole system (ICS)' else organisations.org_name end as org_name,
    published.measure,
    published.group_type,
    published.group_value,
    published.score,
    previous.score as previous_score,
    published.score - previous.score as change,
    cast(medians.ics_median as {{ type_double() }}) as ics_median,
    published.responses,
    published.is_suppressed
from published
left join organisations on published.org_code = organisations.org_code
left join published as previous
    on
        published.org_code = previous.org_code
        and published.measure = previous.measure
        and published.group_type = previous.group_type
        and published.group_value = previous.group_value
        and published.year - 1 = previous.year
left join medians
    on
        published.year = medians.year
        and published.measure = medians.measure
        and published.group_type = medians.group_type
        and published.group_value = medians.group_value
