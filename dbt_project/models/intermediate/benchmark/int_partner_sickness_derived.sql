-- Sickness of each trust as derived from its own provider workforce returns (nhs_pwr), summed over
-- staff groups per submitting org_code and month, before merger mapping, so that it lines up with the
-- code NHS England publishes. A return is one whole file, so a month present is a month complete.
with pwr as (
    select * from {{ ref('stg_nhs_pwr__staff_groups') }}
)

select
    period,
    org_code,
    sum(sickness_fte_days_lost) as pwr_days_lost,
    sum(sickness_fte_days_available) as pwr_days_available,
    {{ safe_ratio('sum(sickness_fte_days_lost)', 'sum(sickness_fte_days_available)') }} as ics_derived_rate
from pwr
group by period, org_code
