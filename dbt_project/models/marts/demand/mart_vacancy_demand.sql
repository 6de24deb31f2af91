-- Where the demand is (metrics.md): vacancies by month, place (and the ICS), sector and job role, with the
-- 12-month change and the demand rank, under disclosure control (decided in int_vacancy_demand): a count
-- of posts or people from 1 to 4 is NULL, and so is every rate resting on one. FTE figures stay.
with demand as (
    select * from {{ ref('int_vacancy_demand') }}
)

select
    period,
    place,
    sector,
    job_role,
    profession,
    case when is_small_vacancies then null else vacancies end as vacancies,
    case when basis = 'fte' then 'FTE' else 'headcount' end as vacancy_basis,
    case when is_small_staff_in_post then null else staff_in_post end as staff_in_post,
    vacancy_rate,
    vacancy_rate_12m_ago,
    change_12m,
    case when is_small_hires then null else median_days_to_hire end as median_days_to_hire,
    cast(demand_rank as {{ dbt.type_bigint() }}) as demand_rank,  -- rank() is int on Spark, bigint on DuckDB
    orgs_reporting,
    is_suppressed
from demand
