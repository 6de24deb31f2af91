{#- Return text on one line: each run of control characters (tab, carriage return, line feed, ...) becomes one
    space, so a text built line by line keeps one line per item, every line starting as the model wrote it,
    and no tab can start a new cell of a tab-separated export (orchestration/safe_text.py, one_line). -#}
{% macro one_line(text) -%}
    {%- if target.type in ('spark', 'databricks') -%}
        regexp_replace({{ text }}, '[\\x00-\\x1F\\x7F]+', ' ')
    {%- else -%}
        regexp_replace({{ text }}, '[[:cntrl:]]+', ' ', 'g')
    {%- endif -%}
{%- endmacro %}
