{#- The ICS rows of survey scores: the partners' scores weighted by their responses, for both surveys. -#}
{% macro ics_survey_rows(organisation_rows, sector) %}
    select
        year,
        '{{ sector }}' as sector,
        'ICS' as org_code,
        measure,
        group_type,
        group_value,
        {{ safe_ratio('sum(score * responses)', 'sum(case when score is not null then responses end)') }} as score,
        sum(responses) as responses,
        false as is_partner
    from {{ organisation_rows }}
    where is_partner
    group by year, measure, group_type, group_value
{%- endmacro %}
