-- Representation (metrics.md, "Who the workforce is"): per (period, place, sector, ethnic_group) the staff
-- in post of partners in the place (each person once, under their organisation-level main assignment's
-- ethnic group) against the usual residents of the place's local authorities (population_profile, the
-- latest census). place: the partner register's place ('Unknown place' where it has none), and 'ICS' for
-- all partners; sector: NHS, Adult social care and 'System' (both; the VCSE workbook has no ethnicity).
-- Groups: White, Mixed, Asian, Black, Other and 'Ethnic minority' (the four others); shares are of the
-- staff whose ethnicity is stated and of all usual residents. Unsuppressed.
with people as (
    select * from {{ ref('int_profile_people') }}
    where org_code <> 'ICS' and profession = 'All' and pay_band_group = 'All'
),

reporting_organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

population as (
    select * from {{ ref('stg_population_profile__local_authorities') }}
),

ethnic_groups as (
    select * from {{ ref('ethnic_groups') }}
),

placed as (
    select
        people.period,
        coalesce(reporting_organisations.place, 'Unknown place') as place,
        people.sector,
        people.person_key,
        people.ethnic_group,
        ethnic_groups.is_ethnic_minority
    from people
    inner join reporting_organisations on people.org_code = reporting_organisations.org_code
    left join ethnic_groups on people.ethnic_group = ethnic_groups.ethnic_group
),

splits as (
    select
        true as by_place,
        true as by_sector
    union all
    select
        true as by_place,
        false as by_sector
    union all
    select
        false as by_place,
        true as by_sector
    union all
    select
        false as by_place,
        false as by_sector
),

levels as (
    select
        placed.period,
        case when splits.by_place then placed.place else 'ICS' end as place,
        case when splits.by_sector then placed.sector else 'System' end as sector,
        placed.person_key,
        placed.ethnic_group,
        placed.is_ethnic_minority
    from placed
    cross join splits
),

grouped as (
    select
        period,
        place,
        sector,
        ethnic_group,
        person_key
    from levels
    where is_ethnic_minority is not null
    union all
    select
        period,
        place,
        sector,
        'Ethnic minority' as ethnic_group,
        person_key
    from levels
    where is_ethnic_minority
),

workforce as (
    select
        period,
        place,
        sector,
        ethnic_group,
        count(distinct person_key) as workforce_headcount
    from grouped
    group by period, place, sector, ethnic_group
),

stated as (
    select
        period,
        place,
        sector,
        count(distinct person_key) as workforce_stated
    from levels
    where is_ethnic_minority is not null
    group by period, place, sector
),

place_areas as (
    select distinct
        place,
        local_authority_code
    from reporting_organisations
    where place is not null and local_authority_code is not null
    union
    select distinct
        'ICS' as place,
        local_authority_code
    from reporting_organisations
    where local_authority_code is not null
),

place_population as (
    {%- set groups = {'White': 'white', 'Mixed': 'mixed', 'Asian': 'asian', 'Black': 'black', 'Other': 'other'} %}
    {%- for group, column in groups.items() %}
        select
            place_areas.place,
            '{{ group }}' as ethnic_group,
            max(population.population_year) as population_year,
            sum(population.{{ column }}) as population,
            sum(population.all_usual_residents) as population_total
        from place_areas
        inner join population on place_areas.local_authority_code = population.local_authority_code
        group by place_areas.place
        union all
    {%- endfor %}
    select
        place_areas.place,
        'Ethnic minority' as ethnic_group,
        max(population.population_year) as population_year,
        sum(population.mixed + population.asian + population.black + population.other) as population,
        sum(population.all_usual_residents) as population_total
    from place_areas
    inner join population on place_areas.local_authority_code = population.local_authority_code
    group by place_areas.place
),

group_list as (
    select ethnic_group from ethnic_groups
    where is_ethnic_minority is not null
    union all
    select 'Ethnic minority' as ethnic_group
),

shares as (
    select
        stated.period,
        stated.place,
        stated.sector,
        group_list.ethnic_group,
        coalesce(workforce.workforce_headcount, 0) as workforce_headcount,
        stated.workforce_stated,
        {{ safe_ratio('coalesce(workforce.workforce_headcount, 0)', 'stated.workforce_stated') }}
            as workforce_share,
        place_population.population,
        {{ safe_ratio('place_population.population', 'place_population.population_total') }} as population_share,
        place_population.population_year
    from stated
    cross join group_list
    left join workforce
        on
            stated.period = workforce.period
            and stated.place = workforce.place
            and stated.sector = workforce.sector
            and group_list.ethnic_group = workforce.ethnic_group
    left join place_population
        on
            stated.place = place_population.place
            and group_list.ethnic_group = place_population.ethnic_group
)

select
    period,
    place,
    sector,
    ethnic_group,
    workforce_headcount,
    workforce_stated,
    workforce_share,
    population,
    population_share,
    population_year,
    {{ safe_ratio('workforce_share', 'population_share') }} as representation_ratio
from shares
