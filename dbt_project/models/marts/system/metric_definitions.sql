-- The definition of record of each system KPI (seeds/reference/kpi_definitions.csv, the sentences of
-- metrics.md), published beside the marts so analysts read the same text as the dbt docs.
with definitions as (
    select * from {{ ref('kpi_definitions') }}
)

select
    cast(kpi as {{ dbt.type_string() }}) as kpi,
    cast(definition as {{ dbt.type_string() }}) as definition,
    cast(basis as {{ dbt.type_string() }}) as basis,
    cast(source_columns as {{ dbt.type_string() }}) as source_columns,
    cast(unit as {{ dbt.type_string() }}) as unit
from definitions
