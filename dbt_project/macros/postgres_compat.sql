{#- PostgreSQL portability of the models' declared types. The YAML declares DuckDB type names (contracts'
    data_type: varchar, double, bigint, ...); PostgreSQL knows all of them but `double` (it says `double
    precision`), and would refuse DuckDB's other own names if a contract used them. These overrides of
    dbt's default macros translate the names on PostgreSQL only, so one YAML serves every engine, contracts
    stay enforced there too, and DuckDB and Spark compile exactly as before. Seeds' column_types use
    varchar/boolean, which PostgreSQL accepts as they are. -#}

{% macro postgres_type(data_type) -%}
    {%- set name = (data_type | string).strip().lower() -%}
    {%- set aliases = {
        'double': 'double precision', 'float8': 'double precision', 'float4': 'real',
        'string': 'text', 'hugeint': 'numeric', 'ubigint': 'numeric', 'uinteger': 'bigint',
        'usmallint': 'integer', 'utinyint': 'smallint', 'tinyint': 'smallint', 'int1': 'smallint',
        'datetime': 'timestamp', 'blob': 'bytea',
    } -%}
    {{- return(aliases.get(name, data_type)) -}}
{%- endmacro %}

{#- A copy of the YAML columns (name -> column dict) with their data_type translated. -#}
{% macro postgres_translated_columns(columns) %}
    {%- set translated = {} -%}
    {%- for key in columns -%}
        {%- set copy = {} -%}
        {%- do copy.update(columns[key]) -%}
        {%- if copy.get('data_type') is not none -%}
            {%- do copy.update({'data_type': postgres_type(copy['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({key: copy}) -%}
    {%- endfor -%}
    {{ return(translated) }}
{% endmacro %}

{#- Contracts, the check: dbt compares the model's column types with `select cast(null as <data_type>) ...`. -#}
{% macro postgres__get_empty_schema_sql(columns) %}
    {{ return(dbt.default__get_empty_schema_sql(postgres_translated_columns(columns))) }}
{% endmacro %}

{#- Contracts, the table: dbt-postgres creates the table from the YAML columns (`create table x (col type)`)
    then inserts the model's select. -#}
{% macro postgres__get_table_columns_and_constraints() %}
    {%- set raw_column_constraints = adapter.render_raw_columns_constraints(
        raw_columns=postgres_translated_columns(model['columns'])) -%}
    {%- set raw_model_constraints = adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
    (
    {% for c in raw_column_constraints -%}
        {{ c }}{{ "," if not loop.last or raw_model_constraints }}
    {% endfor %}
    {% for c in raw_model_constraints -%}
        {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{% endmacro %}
