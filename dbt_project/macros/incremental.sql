{#- rebuild_from (decisions.md, Incremental refresh): the earliest month whose input changed, 'YYYY-MM', set by
    orchestration/dbt.py as the environment variable WF_REBUILD_FROM; none on a full build. Not a dbt var: dbt
    parses the whole project again whenever a var changes, and only the files that read it for an environment
    variable. -#}
{% macro first_month_to_rebuild() -%}
    {{- return(env_var('WF_REBUILD_FROM', '') or none) -}}
{%- endmacro %}

{#- The first month an incremental model rebuilds: rebuild_from less the months the model looks back, as a
    month-end date; none on a full build or without rebuild_from, when the model rebuilds every month. -#}
{% macro rebuild_since(lookback_months=0) -%}
    {%- set rebuild_from = first_month_to_rebuild() -%}
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

{#- The uniqueness tests of the incremental models check the months this build rebuilt, not all of them again
    (issue #25: int_profile_people's was the month build's slowest test): where a test's `where` config is
    `__rebuilt_periods__`, it reads `period >=` the first month rebuilt by any of them (rebuild_from less the
    longest lookback, int_leavers' and int_workforce_monthly's 3 months); every month on a full build, without
    rebuild_from, or where the models are tables (Spark). A month not rebuilt keeps the rows its own build tested;
    the keys tested include `period`, so no duplicate can span an old and a new month. dbt's test
    materialisation calls this macro for every generic test (the root project's overrides dbt's own). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- if '__rebuilt_periods__' in where -%}
        {%- set rebuild_from = first_month_to_rebuild() -%}
        {%- set incremental = adapter.dispatch('period_materialization')() == 'incremental' -%}
        {%- if rebuild_from and incremental and not flags.FULL_REFRESH -%}
            {%- set first = add_months(month_end("'" ~ rebuild_from ~ "'"), -3) -%}
            {%- set where = where | replace('__rebuilt_periods__', 'period >= ' ~ first) -%}
        {%- else -%}
            {%- set where = where | replace('__rebuilt_periods__', 'true') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {{- return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -}}
    {%- endif -%}
    {{- return(relation) -}}
{%- endmacro %}
