"""Stand-in for dbt's adapter.dispatch, so sqlfluff's jinja templater can render the macros that dispatch on the
engine (macros/portable.sql, portable_identifiers.sql, incremental.sql, spark_sources.sql). It returns the
default__ rendering, the DuckDB one, as the real macros do on DuckDB."""

_DEFAULTS = {
    "type_double": lambda *_: "double precision",
    "quoted": lambda *args: f'"{args[-1]}"',
    "period_materialization": lambda *_: "incremental",
    "register_sources": lambda *_: "",
    "export_marts": lambda *_: "",
}


def dispatch(macro_name, macro_namespace=None):
    return _DEFAULTS[macro_name]
