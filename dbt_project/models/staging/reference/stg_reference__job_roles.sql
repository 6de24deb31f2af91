-- The job roles "Where the demand is" reads (metrics.md): every source value of the profession crosswalk
-- with the job_role and the profession it maps to, and the key it is matched on (macro crosswalk_key:
-- case, spaces and '&'/'and' ignored). NHS job roles are NHS England's main staff groups (ESR staff groups
-- mapped to them), ASC's the ASC-WDS main job roles, the VCSE's its role categories.
with crosswalk as (
    select * from {{ ref('profession_crosswalk') }}
)

select
    cast(trim(sector) as {{ dbt.type_string() }}) as sector,
    cast(trim(source_value) as {{ dbt.type_string() }}) as source_value,
    {{ crosswalk_key('source_value') }} as match_key,
    cast(trim(job_role) as {{ dbt.type_string() }}) as job_role,
    cast(trim(profession) as {{ dbt.type_string() }}) as profession,
    cast(trim(source_list) as {{ dbt.type_string() }}) as source_list
from crosswalk
