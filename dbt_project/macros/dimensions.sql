{#- Breakdowns shared by the leaver, joiner, profile and vacancy counts. LT02 is off in this file: sqlfluff
    misreads the indent of a macro body that opens with a loop. -#}
-- noqa: disable=LT02

{#- Both macros read `relation` once per branch of a union (unpivot_dimensions once per dimension). Pass a
    model, or a parenthesised subquery with an alias, when it is large: a CTE name read more than once is
    materialised whole by DuckDB, and int_profile_counts ran out of memory at region that way (issue #25). A CTE
    is fine for the small relations the leaver, joiner and vacancy counts pass. -#}

{#- One row per dimension of each row of `relation`: dimensions maps a dimension to (the column or expression
    of its category, whether only the NHS collects it). With count_as, each dimension's rows are counted per keys
    and category instead, into a column of that name: one aggregate per dimension over the relation's rows, so a
    large relation is never unpivoted whole before it is counted (int_profile_counts, issue #25). -#}
{% macro unpivot_dimensions(relation, keys, dimensions, count_as=none) %}
    {%- for dimension, (category, nhs_only) in dimensions.items() %}
        select
            {{ keys | join(', ') }},
            '{{ dimension }}' as dimension,
            {{ category }} as category
            {%- if count_as %},
            count(*) as {{ count_as }}
            {%- endif %}
        from {{ relation }}
        {%- if nhs_only %}
            where sector = 'NHS'
        {%- endif %}
        {%- if count_as %}
        group by {{ keys | join(', ') }}, {{ category }}
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
