{#- Below the coverage threshold (dbt var coverage_threshold, dbt_project.yml): fewer than that share of what
    was expected is in. One rule for provisional KPI values and for a source's months not yet due. -#}
{% macro coverage_is_low(arrived, expected) -%}
    ({{ arrived }} < {{ var('coverage_threshold') }} * {{ expected }})
{%- endmacro %}
