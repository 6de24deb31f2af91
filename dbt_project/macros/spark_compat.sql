{#- Spark portability of the models' declared types. The YAML declares DuckDB/PostgreSQL type names
    (contracts' data_type, seeds' column_types: varchar, double precision, ...), which Spark's parser refuses
    (VARCHAR needs a length, no DOUBLE PRECISION). These overrides of dbt-spark's own macros translate the
    names on Spark only, so one YAML serves every engine and contracts stay enforced on Spark too. -#}

{% macro spark_type(data_type) -%}
    {%- set name = (data_type | string).strip().lower() -%}
    {%- set aliases = {
        'varchar': 'string', 'text': 'string', 'character varying': 'string',
        'double precision': 'double', 'float8': 'double', 'float4': 'float',
        'integer': 'int', 'int4': 'int', 'int8': 'bigint', 'bool': 'boolean',
    } -%}
    {{- return(aliases.get(name, data_type)) -}}
{%- endmacro %}

{#- Contracts: dbt compares the model's column types with `select cast(null as <data_type>) ...`. -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for key in columns -%}
        {%- set column = columns[key] -%}
        {%- set copy = {'name': column['name'], 'quote': column.get('quote')} -%}
        {%- if column.get('data_type') is not none -%}
            {%- do copy.update({'data_type': spark_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({key: copy}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{% endmacro %}

{#- Seeds: dbt-spark's create_csv_table and load_csv_rows, with two changes. The column_types are
    translated (above), and the values are written as SQL literals: the session method pastes bindings into
    the SQL unescaped, so a text with an apostrophe broke the statement and an empty cell became the text
    'None'. -#}
{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set columns = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- set column_type = spark_type(column_override.get(col_name, inferred_type)) -%}
        {%- do columns.append(adapter.quote_seed_column(col_name | string, quote_seed_column) ~ ' ' ~ column_type) -%}
    {%- endfor -%}
    {%- set sql = 'create table ' ~ this.render() ~ ' (' ~ (columns | join(', ')) ~ ') '
        ~ file_format_clause() ~ ' ' ~ partition_cols(label='partitioned by') ~ ' '
        ~ clustered_cols(label='clustered by') ~ ' ' ~ location_clause() ~ ' ' ~ comment_clause() -%}
    {%- call statement('_') -%}{{ sql }}{%- endcall -%}
    {{ return(sql) }}
{% endmacro %}

{% macro spark_seed_literal(value, column_type) -%}
    {%- if value is none -%}
        {{- return('cast(null as ' ~ column_type ~ ')') -}}
    {%- elif value is sameas true or value is sameas false -%}
        {{- return('true' if value else 'false') -}}
    {%- elif value is number -%}
        {{- return('cast(' ~ value ~ ' as ' ~ column_type ~ ')') -}}
    {%- else -%}
        {%- set text = (value | string).replace('\\', '\\\\').replace("'", "\\'") -%}
        {{- return("cast('" ~ text ~ "' as " ~ column_type ~ ')') -}}
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(spark_type(column_override.get(col_name, inferred_type))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for value in row -%}
                {%- do values.append(spark_seed_literal(value, types[loop.index0])) -%}
            {%- endfor -%}
            {%- do rows.append('(' ~ (values | join(', ')) ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ (rows | join(', ')) -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- Dates. dbt-spark's dateadd repeats its argument nine times (null guards), so the nested calls of
    add_months/month_spine grow exponentially: int_nhs_vacancies_started compiled to thousands of lines and
    Spark's planner did not finish it in 10 minutes. These name each argument once (timestampadd clamps to
    the month's last day, as DuckDB and PostgreSQL do) and return the same types as dbt's own: a timestamp
    from dateadd, a date from last_day. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) %}
    {%- set units = {'day': 'DAY', 'week': 'WEEK', 'month': 'MONTH', 'quarter': 'QUARTER', 'year': 'YEAR',
        'hour': 'HOUR', 'minute': 'MINUTE', 'second': 'SECOND'} -%}
    {%- if datepart not in units -%}
        {{ exceptions.raise_compiler_error("dateadd: datepart '" ~ datepart ~ "' is not supported on Spark") }}
    {%- endif -%}
    timestampadd({{ units[datepart] }}, cast({{ interval }} as int), {{ from_date_or_timestamp }})
{%- endmacro %}

{% macro spark__last_day(date, datepart) -%}
    {%- if datepart == 'month' -%}
        last_day({{ date }})
    {%- else -%}
        cast({{ dbt.dateadd('day', '-1', dbt.dateadd(datepart, '1', dbt.date_trunc(datepart, date))) }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- else -%}
        {{ return(dbt_spark.spark__datediff(first_date, second_date, datepart)) }}
    {%- endif -%}
{%- endmacro %}

{#- listagg: dbt-spark drops the order by (collect_list, with a warning), so the text depends on the plan.
    Spark 4 has listagg ... within group (order by ...), as DuckDB and PostgreSQL do. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ return(dbt_spark.spark__listagg(measure, delimiter_text, order_by_clause, limit_num)) }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
