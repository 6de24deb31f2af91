-- Whether a reporting organisation's returns of a source are complete for a month: every expected
-- constituent return received (predecessors included), and at least one received.
select
    reporting_org_code,
    source_name,
    period,
    max(case when is_partner then 1 else 0 end) = 1 as is_partner,
    sum(case when is_expected and not is_received then 1 else 0 end) = 0
    and sum(case when is_received then 1 else 0 end) > 0 as is_complete
from {{ ref('int_return_coverage') }}
group by reporting_org_code, source_name, period
