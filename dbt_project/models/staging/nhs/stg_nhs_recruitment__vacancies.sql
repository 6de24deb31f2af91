-- NHS recruitment returns: one row per vacancy closed or filled in the month, with its stage dates.
with source as (
    select * from {{ source('raw', 'nhs_recruitment') }}
),

renamed as (
    select
        trim(org_code) as org_code,
        {{ month_end('return_period') }} as period,
        trim(vacancy_reference) as vacancy_reference,
        trim(staff_group) as staff_group,
        trim(afc_band) as afc_band,
        cast(approved_date as date) as approved_date,
        cast(advert_date as date) as advert_date,
        cast(offer_date as date) as offer_date,
        cast(checks_complete_date as date) as checks_complete_date,
        cast(start_date as date) as start_date,
        trim(outcome) as outcome,
        load_id,
        file_name,
        source_row
    from source
)

select * from renamed
