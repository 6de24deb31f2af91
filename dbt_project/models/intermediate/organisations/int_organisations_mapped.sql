-- Each register organisation with the final successor it is reported under (merger chains followed
-- up to five steps), its membership dates, the sources it is expected to send, and its register place.
with organisations as (
    select * from {{ ref('stg_ics_partners__organisations') }}
),

chain as (
    select
        o.org_code,
        coalesce(s5.org_code, s4.org_code, s3.org_code, s2.org_code, s1.org_code, o.org_code)
            as reporting_org_code
    from organisations as o
    left join organisations as s1 on o.successor_code = s1.org_code
    left join organisations as s2 on s1.successor_code = s2.org_code
    left join organisations as s3 on s2.successor_code = s3.org_code
    left join organisations as s4 on s3.successor_code = s4.org_code
    left join organisations as s5 on s4.successor_code = s5.org_code
)

select
    organisations.org_code,
    organisations.org_name,
    organisations.sector,
    organisations.org_type,
    organisations.successor_code,
    chain.reporting_org_code,
    organisations.start_date,
    organisations.end_date,
    organisations.expected_returns,
    organisations.place,
    organisations.local_authority_code
from organisations
inner join chain on organisations.org_code = chain.org_code
