-- The reporting organisations: the register's organisations that report for themselves (a final merger
-- successor, or an organisation never merged), with their name, sector and register dates. Every figure
-- per organisation is published under one of these codes.
select *
from {{ ref('int_organisations_mapped') }}
where org_code = reporting_org_code
