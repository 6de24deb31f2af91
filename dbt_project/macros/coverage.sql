{#- Below the coverage threshold (dbt var coverage_threshold, dbt_project.yml): fewer than that share of what
    was expected is in. One rule for provisional KPI values and for a source's months not yet due. -#}
{% macro coverage_is_low(arrived, expected) -%}
    ({{ arrived }} < {{ var('coverage_threshold') }} * {{ expected }})
{%- endmacro %}

{#- Whether a ';'-separated list of return sources (the registry's, a partner's expected returns) names a source. -#}
{% macro names_source(source_list, source_name) -%}
    {{ dbt.concat(["';'", source_list, "';'"]) }} like {{ dbt.concat(["'%;'", source_name, "';%'"]) }}
{%- endmacro %}
