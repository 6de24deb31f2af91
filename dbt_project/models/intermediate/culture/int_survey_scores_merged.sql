-- NHS Staff Survey scores per reporting organisation (merger successor), year, measure and group, with
-- the ICS's own rows (org_code 'ICS') and the group gaps (group_type 'Gap'). Where a predecessor and its
-- successor both submitted for the same year, the score is their responses-weighted mean and responses
-- their sum. ICS = responses-weighted mean over partner organisations. Gap rows: White minus Ethnic
-- minority, No minus Yes (disability); their responses are the two groups' sum. A score is suppressed
-- when fewer than 11 people responded (a gap when either side is). A trust that reports the ethnic
-- minority groups one by one (Mixed, Asian, Black, Other) and no 'Ethnic minority' row gets one: their
-- responses-weighted mean (metrics.md: Ethnic minority = Mixed, Asian, Black, Other; Not stated is out).
with reported as (
    select * from {{ ref('stg_nhs_staff_survey__scores') }}
),

ethnic_groups as (
    select * from {{ ref('ethnic_groups') }}
),

reported_minority as (
    select distinct
        org_code,
        survey_year,
        measure
    from reported
    where group_type = 'Ethnicity' and group_value = 'Ethnic minority'
),

derived_minority as (
    select
        reported.org_code,
        reported.survey_year,
        reported.measure,
        'Ethnicity' as group_type,
        'Ethnic minority' as group_value,
        {{ safe_ratio('sum(reported.score * reported.responses)',
            'sum(case when reported.score is not null then reported.responses end)') }} as score,
        sum(reported.responses) as responses
    from reported
    inner join ethnic_groups on reported.group_value = ethnic_groups.ethnic_group
    left join reported_minority using (org_code, survey_year, measure)
    where
        reported.group_type = 'Ethnicity'
        and ethnic_groups.is_ethnic_minority
        and reported_minority.org_code is null
    group by reported.org_code, reported.survey_year, reported.measure
),

survey as (
    select
        org_code,
        survey_year,
        measure,
        group_type,
        group_value,
        score,
        responses
    from reported
    union all
    select * from derived_minority
),

organisations as (
    select * from {{ ref('int_organisations_mapped') }}
),

reporting_organisations as (
    select * from {{ ref('int_reporting_organisations') }}
),

mapped as (
    select
        survey.survey_year as year,
        coalesce(organisations.reporting_org_code, survey.org_code) as org_code,
        survey.measure,
        survey.group_type,
        survey.group_value,
        survey.score,
        survey.responses
    from survey
    left join organisations on survey.org_code = organisations.org_code
),

by_organisation as (
    select
        year,
        org_code,
        measure,
        group_type,
        group_value,
        case
            when count(*) = 1 then max(score)
            else {{ safe_ratio('sum(score * responses)', 'sum(case when score is not null then responses end)') }}
        end as score,
        sum(responses) as responses
    from mapped
    group by year, org_code, measure, group_type, group_value
),

organisation_rows as (
    select
        by_organisation.year,
        coalesce(reporting_organisations.sector, 'NHS') as sector,
        by_organisation.org_code,
        by_organisation.measure,
        by_organisation.group_type,
        by_organisation.group_value,
        by_organisation.score,
        by_organisation.responses,
        reporting_organisations.org_code is not null as is_partner
    from by_organisation
    left join reporting_organisations on by_organisation.org_code = reporting_organisations.org_code
),

ics_rows as (
    {{ ics_survey_rows('organisation_rows', 'NHS') }}
),

scored as (
    select
        *,
        coalesce(responses, 0) < 11 or score is null as is_suppressed
    from organisation_rows
    union all
    select
        *,
        coalesce(responses, 0) < 11 or score is null as is_suppressed
    from ics_rows
),

gap_sides as (
    select
        year,
        sector,
        org_code,
        measure,
        is_partner,
        case group_type when 'Ethnicity' then 'White minus Ethnic minority' else 'No minus Yes disability' end
            as group_value,
        max(case when group_value in ('White', 'No') then score end) as first_score,
        max(case when group_value in ('Ethnic minority', 'Yes') then score end) as second_score,
        max(case when group_value in ('White', 'No') then responses end) as first_responses,
        max(case when group_value in ('Ethnic minority', 'Yes') then responses end) as second_responses
    from scored
    where
        (group_type = 'Ethnicity' and group_value in ('White', 'Ethnic minority'))
        or (group_type = 'Disability' and group_value in ('No', 'Yes'))
    group by year, sector, org_code, measure, is_partner, group_type
),

gaps as (
    select
        year,
        sector,
        org_code,
        measure,
        'Gap' as group_type,
        group_value,
        first_score - second_score as score,
        first_responses + second_responses as responses,
        is_partner,
        coalesce(first_responses, 0) < 11
        or coalesce(second_responses, 0) < 11
        or first_score is null
        or second_score is null as is_suppressed
    from gap_sides
)

select * from scored
union all
select * from gaps
