{#- Spark only: the raw layer in, the marts out, through parquet files in the warehouse folder.
    Ingestion writes every dbt source table to <warehouse folder>/parquet/<schema>/<table>.parquet
    (orchestration/parquet_export.py); on-run-start registers each as an external table of the same name, so
    source('raw', ...) resolves unchanged. on-run-end writes every table of the marts schema to
    <warehouse folder>/parquet/marts/<table>/ for the publication (orchestration/publish.py). On DuckDB both
    hooks render nothing. -#}

{#- The folder of WF_WAREHOUSE (the refresh passes it absolute), as dbt's profiles.yml computes it too. -#}
{% macro wf_warehouse_dir() -%}
    {{- return(env_var('WF_WAREHOUSE', '../warehouse/warehouse.duckdb').rsplit('/', 1)[0]) -}}
{%- endmacro %}

{% macro wf_parquet_dir() -%}
    {{- return(env_var('WF_PARQUET_DIR', wf_warehouse_dir() ~ '/parquet')) -}}
{%- endmacro %}

{% macro spark_register_sources() %}
    {{- adapter.dispatch('register_sources')() -}}
{% endmacro %}

{% macro default__register_sources() %}{% endmacro %}

{% macro spark__register_sources() %}
    {%- if execute -%}
        {%- set created = [] -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.schema not in created -%}
                {%- do run_query('create database if not exists ' ~ node.schema) -%}
                {%- do created.append(node.schema) -%}
            {%- endif -%}
            {%- set relation = node.schema ~ '.' ~ node.identifier -%}
            {%- set path = wf_parquet_dir() ~ '/' ~ node.schema ~ '/' ~ node.identifier ~ '.parquet' -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query('create table ' ~ relation ~ " using parquet location '" ~ path ~ "'") -%}
        {%- endfor -%}
        {{- log('spark: registered ' ~ (graph.sources | length) ~ ' sources from ' ~ wf_parquet_dir(), info=true) -}}
    {%- endif -%}
{% endmacro %}

{#- Every mart built by this run (table models of the marts schema), written as a folder of parquet files. -#}
{% macro spark_export_marts() %}
    {{- adapter.dispatch('export_marts')() -}}
{% endmacro %}

{% macro default__export_marts() %}{% endmacro %}

{% macro spark__export_marts() %}
    {%- if execute -%}
        {%- set exported = [] -%}
        {%- for result in results -%}
            {%- set node = result.node -%}
            {%- if node.resource_type == 'model' and node.schema == 'marts' and result.status == 'success'
                and node.config.materialized in ('table', 'incremental') -%}
                {%- set path = wf_parquet_dir() ~ '/marts/' ~ node.alias -%}
                {%- do run_query("insert overwrite directory '" ~ path ~ "' using parquet select * from "
                    ~ node.schema ~ '.' ~ node.alias) -%}
                {%- do exported.append(node.alias) -%}
            {%- endif -%}
        {%- endfor -%}
        {{- log('spark: exported ' ~ (exported | length) ~ ' marts to ' ~ wf_parquet_dir() ~ '/marts', info=true) -}}
    {%- endif -%}
{% endmacro %}
