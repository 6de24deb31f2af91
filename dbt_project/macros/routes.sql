{#- The entry routes of metrics.md ("How people enter and stay") in their order of precedence, by rank. -#}
{% macro route_name(route_rank) -%}
    case {{ route_rank }}
        when 1 then 'Retire and return'
        when 2 then 'Apprentice'
        when 3 then 'International recruit'
        else 'Other'
    end
{%- endmacro %}
