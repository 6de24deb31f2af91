{#- Breakdowns shared by the leaver, joiner, profile and vacancy counts. LT02 is off in this file: sqlfluff
    misreads the indent of a macro body that opens with a loop. -#}
-- noqa: disable=LT02

{#- One row per dimension of each row of `relation`: dimensions maps a dimension to (the column or expression
    of its category, whether only the NHS collects it). -#}
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

{#- Each row twice: under its profession and under 'All' (the total every profession breakdown carries). -#}
{% macro with_profession_all(relation, keys, columns) %}
    {%- for profession in ['profession', "'All'"] %}
        select
            {{ keys | join(', ') }},
            {{ profession }} as profession,
            {{ columns | join(', ') }}
        from {{ relation }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
