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
),

{# one cast list for both: unregistered organisations have only a code and a sector #}
all_organisations as (
    select
        org_code,
        org_name,
        sector,
        org_type,
        successor_code,
        start_date,
        end_date,
        reporting_org_code,
        true as is_partner,
        place,
        local_authority_code
    from organisations
    union all
    select
        org_code,
        null as org_name,
        sector,
        null as org_type,
        null as successor_code,
        null as start_date,
        null as end_date,
        org_code as reporting_org_code,
        false as is_partner,
        null as place,
        null as local_authority_code
    from unregistered
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
    is_partner,
    cast(place as {{ dbt.type_string() }}) as place,
    cast(local_authority_code as {{ dbt.type_string() }}) as local_authority_code
from all_organisations
