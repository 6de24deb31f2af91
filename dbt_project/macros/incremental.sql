{#- The first month an incremental model rebuilds (decisions.md, Incremental refresh): the dbt var rebuild_from
    (the earliest month whose input changed, set by orchestration/dbt.py) minus the months the model looks back,
    as a month-end date; none on a full build or without the var, when the model rebuilds every month. -#}
{% macro rebuild_since(lookback_months=0) -%}
    {%- set rebuild_from = var('rebuild_from', none) -%}
    {%- if is_incremental() and rebuild_from -%}
        {%- set since = month_end("'" ~ rebuild_from ~ "'") -%}
        {{- return(add_months(since, -lookback_months) if lookback_months else since) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#- The one config of the incremental models (decisions.md, Incremental refresh): delete+insert by period,
    rebuilding the months from rebuild_since(); on Spark a table (no incremental models there). A model
    declares it with {{ config(**incremental_by_period()) }}. -#}
{% macro incremental_by_period() -%}
    {{- return({
        'materialized': adapter.dispatch('period_materialization')(),
        'incremental_strategy': 'delete+insert',
        'unique_key': 'period',
    }) -}}
{%- endmacro %}

{% macro default__period_materialization() -%}
    {{- return('incremental') -}}
{%- endmacro %}

{% macro spark__period_materialization() -%}
    {{- return('table') -}}
{%- endmacro %}
