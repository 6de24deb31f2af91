{#- The one normalisation every crosswalk join uses (and orchestration/quality/rules.py's GX crosswalk rule):
    case, surrounding and repeated spaces, and '&' against 'and' are ignored, so 'NURSES AND HEALTH VISITORS'
    matches 'Nurses & health visitors'. Apply it to both sides of the join. -#}
{% macro crosswalk_key(expression) -%}
    {%- set spaced = "replace(" ~ expression ~ ", '&', ' and ')" -%}
    {%- if target.type == 'spark' -%}
        lower(trim(regexp_replace({{ spaced }}, '\\s+', ' ')))
    {%- else -%}
        lower(trim(regexp_replace({{ spaced }}, '\s+', ' ', 'g')))
    {%- endif -%}
{%- endmacro %}

{#- The join condition of a value against a crosswalk relation's source_value. -#}
{% macro crosswalk_match(value, crosswalk) -%}
    {{ crosswalk_key(crosswalk ~ '.source_value') }} = {{ crosswalk_key(value) }}
{%- endmacro %}
