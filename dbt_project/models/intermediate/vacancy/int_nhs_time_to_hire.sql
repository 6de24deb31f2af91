-- NHS time to hire per reporting organisation, month and profession ('All' included): the number of
-- vacancies started in the month, the median and 90th percentile of days from approval to start, and
-- the median of each stage (continuous percentiles). Only months whose recruitment returns are complete
-- (every expected constituent return received). Unsuppressed: the mart applies disclosure control.
with started as (
    select * from {{ ref('int_nhs_vacancies_started') }}
),

completeness as (
    select * from {{ ref('int_return_completeness') }}
    where source_name = 'nhs_recruitment' and is_complete
),

with_all as (
    {{ with_profession_all('started', ['period', 'org_code'], [
        'days_to_hire', 'days_approval_to_advert', 'days_advert_to_offer', 'days_offer_to_checks',
        'days_checks_to_start',
    ]) }}
),

aggregated as (
    select
        period,
        org_code,
        profession,
        count(*) as vacancies_started,
        percentile_cont(0.5) within group (order by days_to_hire) as median_days_to_hire,
        percentile_cont(0.9) within group (order by days_to_hire) as p90_days_to_hire,
        percentile_cont(0.5) within group (order by days_approval_to_advert) as median_days_approval_to_advert,
        percentile_cont(0.5) within group (order by days_advert_to_offer) as median_days_advert_to_offer,
        percentile_cont(0.5) within group (order by days_offer_to_checks) as median_days_offer_to_checks,
        percentile_cont(0.5) within group (order by days_checks_to_start) as median_days_checks_to_start
    from with_all
    group by period, org_code, profession
)

select aggregated.*
from aggregated
inner join completeness
    on aggregated.org_code = completeness.reporting_org_code and aggregated.period = completeness.period
