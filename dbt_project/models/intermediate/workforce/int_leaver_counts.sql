-- Leavers of NHS trusts and ASC establishments in the 12 months to period (W = M-11 .. M) by dimension
-- (reason, destination and disability for the NHS, age_band, ethnic_group, service_band) and category, per
-- organisation and profession ('All' included), from the leaver events of int_leavers; only where
-- int_organisation_windows finds the leaver figures' window complete (NHS: ESR staff and leavers; ASC: the
-- workers extract, every month M-12 .. M). An empty category is 'Unknown'. UNSUPPRESSED: mart_leavers adds
-- the VCSE reasons, the shares and disclosure control.
with leavers as (
    select * from {{ ref('int_leavers') }}
),

org_windows as (
    select * from {{ ref('int_organisation_windows') }}
),

months as (
    select * from {{ ref('int_months') }}
),

events as (
    {{ with_profession_all('leavers', ['period', 'sector', 'org_code'], [
        'reason_category', 'destination', 'age_band', 'ethnic_group', 'disability', 'service_band',
    ]) }}
),

events_long as (
    {#- dimension: (its column, whether only the NHS collects it) -#}
    {%- set dimensions = {
        'reason': ('reason_category', false), 'destination': ('destination', true), 'age_band': ('age_band', false),
        'ethnic_group': ('ethnic_group', false), 'disability': ('disability', true),
        'service_band': ('service_band', false),
    } %}
    {{ unpivot_dimensions('events', ['period', 'sector', 'org_code', 'profession'], dimensions) }}
),

person_counts as (
    select
        months.period,
        events_long.sector,
        events_long.org_code,
        events_long.profession,
        events_long.dimension,
        coalesce(nullif(trim(events_long.category), ''), 'Unknown') as category,
        count(*) as leavers_12m
    {{ from_complete_12m_windows('events_long', 'leavers_window_complete') }}
    group by
        months.period,
        events_long.sector,
        events_long.org_code,
        events_long.profession,
        events_long.dimension,
        coalesce(nullif(trim(events_long.category), ''), 'Unknown')
)

select * from person_counts
