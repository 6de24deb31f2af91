{#- A column whose name is a reserved word (group, year, ...), quoted the way the engine quotes identifiers:
    "group" on DuckDB and PostgreSQL, `group` on Spark (where "group" is a string literal). Same as
    adapter.quote, which sqlfluff's templater cannot see. -#}
{% macro quoted(column_name) -%}
    {{- adapter.dispatch('quoted')(column_name) -}}
{%- endmacro %}

{% macro default__quoted(column_name) -%}"{{ column_name }}"{%- endmacro %}

{#- Databricks dispatches to spark__ too. -#}
{% macro spark__quoted(column_name) -%}`{{ column_name }}`{%- endmacro %}
