{#- Service band of a length of service in days (metrics.md: <1, 1-2, 2-5, 5-10, 10+ years). -#}
{% macro service_band(days) -%}
    case
        when {{ days }} is null then null
        when {{ days }} < 365.25 then '<1'
        when {{ days }} < 2 * 365.25 then '1-2'
        when {{ days }} < 5 * 365.25 then '2-5'
        when {{ days }} < 10 * 365.25 then '5-10'
        else '10+'
    end
{%- endmacro %}

{#- The bands of service_band and the column of each (service_lt1 ... service_10_plus), in publishing order. -#}
{% macro service_band_columns() -%}
    {{ return([
        ('<1', 'service_lt1'), ('1-2', 'service_1_2'), ('2-5', 'service_2_5'), ('5-10', 'service_5_10'),
        ('10+', 'service_10_plus'),
    ]) }}
{%- endmacro %}

{#- Turnover's denominator (metrics.md): the mean of the headcounts (or FTE) at the start and at the end of W. -#}
{% macro turnover_denominator(at_start, at_end) -%}
    ({{ at_start }} + {{ at_end }}) / 2.0
{%- endmacro %}
