{#- The 12-month window rule (docs/decisions.md): the window W of month M is M-11 .. M, so an event of
    month `period` counts in the window of `month` when this holds. One rule for every 12-month figure. -#}
{% macro in_12m_window(period, month) -%}
    ({{ month }} >= {{ period }} and {{ period }} > {{ add_months(month, -12) }})
{%- endmacro %}

{#- The from clause of a 12-month count per organisation: each month of int_months (CTE months) joined to the
    events of its window, for the organisations whose window int_organisation_windows (CTE org_windows) finds
    complete (its column `window_complete`: every return M-12 .. M accepted). -#}
{% macro from_complete_12m_windows(events, window_complete) -%}
    from months
    inner join {{ events }} on {{ in_12m_window(events ~ '.period', 'months.period') }}
    inner join org_windows
        on
            months.period = org_windows.period
            and {{ events }}.org_code = org_windows.org_code
    where org_windows.{{ window_complete }}
{%- endmacro %}
