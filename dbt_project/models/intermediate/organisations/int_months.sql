-- Every month-end from the first to the last monthly or quarterly return received.
{{ month_spine(
    "(select min(period) from " ~ ref('int_returns_received') ~ ")",
    "(select max(period) from " ~ ref('int_returns_received') ~ ")"
) }}
