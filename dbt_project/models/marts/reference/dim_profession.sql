-- The harmonised professions and the source values (staff group, job role, role category) mapped to
-- them, per sector: the profession crosswalk seed as published. Values not in it are 'Unknown'.
with crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
)

select
    cast(trim(profession) as {{ dbt.type_string() }}) as profession,
    cast(trim(sector) as {{ dbt.type_string() }}) as sector,
    cast(trim(source_value) as {{ dbt.type_string() }}) as source_value
from crosswalk
