-- Every organisation of the partner register, with the final successor it is reported under, plus the
-- organisations that sent returns without being in the register (org_name NULL, is_partner false).
with organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

coverage as (
    select * from {{ ref('int_return_coverage') }}
),

sources as (
    select * from {{ ref('return_sources') }}
),

unregistered as (
    select
        coverage.org_code,
        min(sources.sector) as sector
    from coverage
    inner join sources on coverage.source_name = sources.source_name
    where not coverage.is_partner
    group by coverage.org_code
)

select
    cast(org_code as {{ dbt.type_string() }}) as org_code,
    cast(org_name as {{ dbt.type_string() }}) as org_name,
    cast(sector as {{ dbt.type_string() }}) as sector,
    cast(org_type as {{ dbt.type_string() }}) as org_type,
    cast(successor_code as {{ dbt.type_string() }}) as successor_code,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    cast(reporting_org_code as {{ dbt.type_string() }}) as reporting_org_code,
    true as is_partner,
    cast(place as {{ dbt.type_string() }}) as place,
    cast(local_authority_code as {{ dbt.type_string() }}) as local_authority_code
from organisations
union all
select
    cast(org_code as {{ dbt.type_string() }}) as org_code,
    cast(null as {{ dbt.type_string() }}) as org_name,
    cast(sector as {{ dbt.type_string() }}) as sector,
    cast(null as {{ dbt.type_string() }}) as org_type,
    cast(null as {{ dbt.type_string() }}) as successor_code,
    cast(null as date) as start_date,
    cast(null as date) as end_date,
    cast(org_code as {{ dbt.type_string() }}) as reporting_org_code,
    false as is_partner,
    cast(null as {{ dbt.type_string() }}) as place,
    cast(null as {{ dbt.type_string() }}) as local_authority_code
from unregistered
