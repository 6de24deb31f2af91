{#- One row per month-end from first_month_end to last_month_end (inclusive), without generate_series:
    a digits cross join (up to 1,000 months) then dbt.dateadd, so it runs on every engine. -#}
{% macro month_spine(first_month_end, last_month_end) -%}
    with digits as (
        select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
        union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
    ),

    offsets as (
        select units.d + 10 * tens.d + 100 * hundreds.d as month_offset
        from digits as units
        cross join digits as tens
        cross join digits as hundreds
    ),

    bounds as (
        select
            {{ first_month_end }} as first_month_end,
            {{ last_month_end }} as last_month_end
    )

    select {{ add_months("bounds.first_month_end", "offsets.month_offset") }} as period
    from bounds
    cross join offsets
    where {{ add_months("bounds.first_month_end", "offsets.month_offset") }} <= bounds.last_month_end
{%- endmacro %}
