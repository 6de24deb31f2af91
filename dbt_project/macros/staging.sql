{#- The assignment columns both ESR extracts share (staff in post, leavers): one cast per column, not two. -#}
{% macro esr_assignment_columns() %}
    trim(org_code) as org_code,
    {{ month_end('return_period') }} as period,
    person_key,
    employee_key,
    assignment_key,
    trim(staff_group) as staff_group,
    nullif(trim(occupation_code), '') as occupation_code,
    trim(afc_band) as afc_band,
    trim(assignment_category) as assignment_category,
    cast(fte as {{ type_double() }}) as fte,
    cast(assignment_start_date as date) as assignment_start_date,
    cast(nhs_start_date as date) as nhs_start_date,
    trim(age_band) as age_band,
    trim(gender) as gender,
    trim(ethnic_group) as ethnic_group,
    trim(disability) as disability
{%- endmacro %}
