-- The 12-month figures of VCSE organisations at each quarter-end M, per (org_code, profession), 'All'
-- included, from int_vcse_quarters: joiners, leavers and leavers under 12 months summed over the four
-- quarters of W (M-9, M-6, M-3, M), a sum unknown (NULL) when any quarter's cell is empty (empty is not
-- zero); the paid headcount at M and at M-12, and how many of those two are unknown. One row wherever the
-- organisation has a quarter in M-12 .. M. Whether the five quarter-ends are complete is
-- int_organisation_windows' rule, applied by the readers (int_turnover_figures, int_system_kpi_parts).
with vcse as (
    select * from {{ ref('int_vcse_quarters') }}
),

months as (
    select * from {{ ref('int_months') }}
)

{%- set in_w = in_12m_window('vcse.period', 'months.period') %}
select
    months.period,
    vcse.org_code,
    vcse.profession,
    sum(case when {{ in_w }} then 1 else 0 end) as quarters,
    {#- a 12-month figure: the sum over the quarters of W, unknown when any of their cells is empty -#}
    {%- for figure, column in [
        ('joiners_12m', 'joiners'), ('leavers_12m', 'leavers'), ('early_leavers_12m', 'leavers_under_12_months')
    ] %}
        case
            when
                sum(case when {{ in_w }} and vcse.{{ column }} is null then 1 else 0 end) = 0
                then sum(case when {{ in_w }} then vcse.{{ column }} end)
        end as {{ figure }},
    {%- endfor %}
    max(case when vcse.period = months.period then vcse.paid_headcount end) as headcount,
    max(case when vcse.period = {{ add_months('months.period', -12) }} then vcse.paid_headcount end)
        as headcount_12m_ago,
    sum(case when vcse.period = months.period and vcse.paid_headcount is null then 1 else 0 end)
    + sum(
        case
            when vcse.period = {{ add_months('months.period', -12) }} and vcse.paid_headcount is null then 1 else 0
        end
    )
        as unknown_headcounts
from months
inner join vcse
    on
        months.period >= vcse.period
        and vcse.period >= {{ add_months('months.period', -12) }}
where extract(month from months.period) in (3, 6, 9, 12)
group by months.period, vcse.org_code, vcse.profession
