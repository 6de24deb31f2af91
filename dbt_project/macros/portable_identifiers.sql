{#- A column whose name is a reserved word (group, year, ...), quoted the way the engine quotes identifiers:
    "group" on DuckDB and PostgreSQL, `group` on Spark (where "group" is a string literal). Same as
    adapter.quote, which sqlfluff's templater cannot see. -#}
{% macro quoted(column_name) -%}
    {%- if target.type in ('spark', 'databricks') -%}`{{ column_name }}`{%- else -%}"{{ column_name }}"{%- endif -%}
{%- endmacro %}
