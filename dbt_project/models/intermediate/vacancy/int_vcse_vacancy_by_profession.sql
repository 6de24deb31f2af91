-- VCSE vacancy, sessional/agency use and days to fill per quarter-end, organisation and profession
-- ('All' included), unsuppressed: the figures of int_vcse_quarters (empty cells stay unknown there), with
-- the days-to-fill inputs NULL where no joiner has days to fill, so a partner without them counts as
-- unknown rather than zero in sector sums.
with quarters as (
    select * from {{ ref('int_vcse_quarters') }}
)

select
    period,
    org_code,
    profession,
    cast(paid_headcount as {{ dbt.type_bigint() }}) as paid_headcount,
    paid_fte,
    cast(vacancies as {{ dbt.type_bigint() }}) as vacancies,
    sessional_or_agency_fte,
    case when days_to_fill_joiners > 0 then days_to_fill_weighted_sum end as days_to_fill_weighted_sum,
    cast(nullif(days_to_fill_joiners, 0) as {{ dbt.type_bigint() }}) as days_to_fill_joiners
from quarters
