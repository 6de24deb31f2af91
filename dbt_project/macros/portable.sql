{#- Portable helpers: the same SQL runs on DuckDB, Spark and PostgreSQL (stack.md). -#}

{#- dbt.type_float() is 4-byte on DuckDB and Spark; rates need 8 bytes. Engine differences go through
    adapter.dispatch: default__ serves DuckDB and PostgreSQL, spark__ Spark. -#}
{% macro type_double() -%}
    {{- adapter.dispatch('type_double')() -}}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}

{#- The last day of the month named by a 'YYYY-MM' text column. -#}
{% macro month_end(month_text) -%}
    cast({{ dbt.last_day("cast(" ~ dbt.concat([month_text, "'-01'"]) ~ " as date)", "month") }} as date)
{%- endmacro %}

{#- numerator / denominator as a double, NULL when the denominator is 0 or NULL. -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0))
{%- endmacro %}

{#- A month-end date moved by n months, still a month-end. -#}
{% macro add_months(date_expression, months) -%}
    cast({{ dbt.last_day(dbt.dateadd("month", months, dbt.date_trunc("month", date_expression)), "month") }} as date)
{%- endmacro %}
