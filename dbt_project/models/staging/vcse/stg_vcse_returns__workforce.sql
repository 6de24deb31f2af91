-- VCSE workbook, Workforce sheet: one row per organisation, quarter-end and role category. Empty cells
-- stay NULL (unknown, not zero).
with source as (
    select * from {{ source('raw', 'vcse_returns') }}
),

renamed as (
    select
        trim(submitter) as org_code,
        {{ month_end('return_period') }} as period,
        nullif(trim(organisation_name), '') as organisation_name,
        nullif(trim(charity_number), '') as charity_number,
        trim(role_category) as role_category,
        cast(paid_headcount as {{ dbt.type_bigint() }}) as paid_headcount,
        cast(paid_fte as {{ type_double() }}) as paid_fte,
        cast(volunteers as {{ dbt.type_bigint() }}) as volunteers,
        cast(vacancies as {{ dbt.type_bigint() }}) as vacancies,
        cast(joiners as {{ dbt.type_bigint() }}) as joiners,
        cast(leavers as {{ dbt.type_bigint() }}) as leavers,
        cast(leavers_under_12_months as {{ dbt.type_bigint() }}) as leavers_under_12_months,
        cast(sessional_or_agency_fte as {{ type_double() }}) as sessional_or_agency_fte,
        cast(average_days_to_fill as {{ type_double() }}) as average_days_to_fill,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
