{#- Disclosure control of metrics.md: a count of 1 to 4 people is published as NULL; so is a rate or
    share whose numerator or denominator is such a count, or whose denominator is below 5. Zero stays. -#}

{#- disclosure_max_small_count: 4 (metrics.md); 0 builds unsuppressed marts, for the attacker test only. -#}
{% macro is_small_count(count) -%}
    ({{ count }} is not null and {{ count }} between 1 and {{ var('disclosure_max_small_count', 4) }})
{%- endmacro %}

{% macro suppress_count(count) -%}
    case when {{ is_small_count(count) }} then null else {{ count }} end
{%- endmacro %}

{#- Whether a rate or share over counts of people is suppressed (NULL where the denominator is unknown). -#}
{% macro is_small_rate(numerator, denominator) -%}
    ({{ is_small_count(numerator) }} or {{ is_small_count(denominator) }} or {{ denominator }} < 5)
{%- endmacro %}

{#- A rate over counts of people. -#}
{% macro suppress_people_rate(rate, numerator, denominator) -%}
    case
        when {{ is_small_rate(numerator, denominator) }} then null
        else {{ rate }}
    end
{%- endmacro %}
