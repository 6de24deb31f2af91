-- Per current return (load_id): its rows, the rows whose profession or leaving reason falls to 'Unknown'
-- because a crosswalked value is not in its crosswalk, and those values. A profession column's empty value
-- is unknown too (an NHS ESR row first tries its occupation code, as int_staff_in_post does); an empty
-- reason is not counted (workers in post have none). The same joins as the models that map the values
-- (macro crosswalk_match), so the share is what the figures saw.
{%- set checks = [
    ('stg_nhs_esr_staff__assignments', 'staff_group', 'profession_crosswalk', 'NHS', true),
    ('stg_nhs_esr_leavers__assignments', 'staff_group', 'profession_crosswalk', 'NHS', true),
    ('stg_nhs_esr_leavers__assignments', 'reason_for_leaving', 'leaving_reason_crosswalk', 'NHS', false),
    ('stg_nhs_recruitment__vacancies', 'staff_group', 'profession_crosswalk', 'NHS', false),
    ('stg_nhs_pwr__staff_groups', 'staff_group', 'profession_crosswalk', 'NHS', false),
    ('stg_asc_wds_workers__workers', 'main_job_role', 'profession_crosswalk', 'Adult social care', false),
    ('stg_asc_wds_workers__workers', 'leave_reason', 'leaving_reason_crosswalk', 'Adult social care', false),
    ('stg_asc_wds_establishments__job_roles', 'job_role', 'profession_crosswalk', 'Adult social care', false),
    ('stg_vcse_returns__workforce', 'role_category', 'profession_crosswalk', 'VCSE', false),
    ('stg_vcse_returns__leaving_reasons', 'reason', 'leaving_reason_crosswalk', 'VCSE', false),
] %}
{%- set tables = [] %}
{%- for check in checks if check[0] not in tables %}{% do tables.append(check[0]) %}{% endfor %}
with occupation_codes as (
    select * from {{ ref('occupation_code_crosswalk') }}
),

return_rows as (
    {%- for table in tables %}
        select
            load_id,
            '{{ table }}' as table_name,
            source_row
        from {{ ref(table) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

unknown_cells as (
    {%- for table, column, crosswalk, sector, by_occupation in checks %}
        {%- set quoted_value = dbt.concat(["''''", "rows_checked." ~ column, "''''"]) %}
        select
            rows_checked.load_id,
            '{{ table }}' as table_name,
            rows_checked.source_row,
            {{ dbt.concat(["'" ~ column ~ " '", "coalesce(" ~ quoted_value ~ ", '(empty)')"]) }} as unknown_value
        from {{ ref(table) }} as rows_checked
        left join {{ ref(crosswalk) }} as crosswalk
            on crosswalk.sector = '{{ sector }}' and {{ crosswalk_match('rows_checked.' ~ column, 'crosswalk') }}
        {%- if by_occupation %}
            left join occupation_codes
                on upper(substr(rows_checked.occupation_code, 1, 1)) = occupation_codes.leading_character
        {%- endif %}
        where
            crosswalk.source_value is null
            {%- if crosswalk == 'leaving_reason_crosswalk' %}
                and rows_checked.{{ column }} is not null
            {%- endif %}
        {%- if by_occupation %}
                and occupation_codes.profession is null
        {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

unknown_rows as (
    select
        load_id,
        cast(
            count(distinct {{ dbt.concat(["table_name", "'#'", dbt.safe_cast("source_row", dbt.type_string())]) }})
            as {{ dbt.type_bigint() }}
        ) as unknown_rows
    from unknown_cells
    group by load_id
),

unknown_values as (
    select distinct
        load_id,
        unknown_value
    from unknown_cells
),

values_listed as (
    select
        load_id,
        {{ dbt.listagg("unknown_value", "', '", "order by unknown_value") }} as unknown_values
    from unknown_values
    group by load_id
),

totals as (
    select
        load_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as crosswalked_rows
    from return_rows
    group by load_id
)

select
    totals.load_id,
    totals.crosswalked_rows,
    coalesce(unknown_rows.unknown_rows, 0) as unknown_rows,
    {{ safe_ratio('coalesce(unknown_rows.unknown_rows, 0)', 'totals.crosswalked_rows') }} as unknown_share,
    values_listed.unknown_values
from totals
left join unknown_rows on totals.load_id = unknown_rows.load_id
left join values_listed on totals.load_id = values_listed.load_id
