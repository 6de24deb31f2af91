{#- Unpivot people or events into one row per dimension (leaver, joiner and profile counts share it):
    dimensions maps a dimension to (the column or expression of its category, whether only the NHS collects it).
    LT02 is off here: sqlfluff misreads the indent of a macro body that opens with a loop. -#}
-- noqa: disable=LT02
{% macro unpivot_dimensions(relation, keys, dimensions) %}
    {%- for dimension, (category, nhs_only) in dimensions.items() %}
        select
            {{ keys | join(', ') }},
            '{{ dimension }}' as dimension,
            {{ category }} as category
        from {{ relation }}
        {%- if nhs_only %}
            where sector = 'NHS'
        {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
