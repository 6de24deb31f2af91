-- Representation (metrics.md): per (period, place, sector, ethnic_group) the workforce's share of each
-- ethnic group against the population's, from int_representation. Disclosure control: a headcount of 1-4
-- is NULL, and so is a share or ratio over it or over fewer than 5 staff with ethnicity stated; where White
-- or Ethnic minority is such a count, every share and ratio of the place and sector is NULL (a share gives
-- the stated total back, and the stated total is White plus Ethnic minority). Population figures are
-- census counts of residents, not suppressed.
with representation as (
    select * from {{ ref('int_representation') }}
),

flagged as (
    select
        representation.*,
        {{ suppress_people_rate('workforce_share', 'workforce_headcount', 'workforce_stated') }} is null
        and representation.workforce_share is not null as share_suppressed,
        max(
            case
                when
                    representation.ethnic_group in ('White', 'Ethnic minority')
                    and {{ is_small_count('workforce_headcount') }}
                    then 1
                else 0
            end
        ) over (partition by representation.period, representation.place, representation.sector) = 1 as stated_revealed
    from representation
)

select
    period,
    place,
    sector,
    ethnic_group,
    cast({{ suppress_count('workforce_headcount') }} as {{ dbt.type_bigint() }}) as workforce_headcount,
    case when not (share_suppressed or stated_revealed) then workforce_share end as workforce_share,
    cast(population as {{ dbt.type_bigint() }}) as population,
    population_share,
    cast(population_year as integer) as population_year,
    case when not (share_suppressed or stated_revealed) then representation_ratio end as representation_ratio,
    coalesce(
        {{ is_small_count('workforce_headcount') }}
        or (share_suppressed or stated_revealed) and workforce_share is not null,
        false
    ) as is_suppressed
from flagged
