-- The problems of each received file as one text, one line per problem (errors first, then by row):
-- '<severity> <file> row <n>, column <c>: <reason>'. Errors released by a later accepted version are left out.
-- File names, columns and reasons quote return text: control characters in them become spaces (one_line), so
-- every line starts with its severity and a spreadsheet reading the text runs no formula
-- (README, 'No return text runs anywhere').
with problems as (
    select * from {{ ref('stg_audit__problems') }}
    where released_at is null
),

lines as (
    select
        load_id,
        case when severity = 'ERROR' then 0 else 1 end as severity_order,
        coalesce(file_row, 0) as row_order,
        {{ one_line(dbt.concat([
            "severity", "' '", "file_name",
            "case when file_row is null then '' else " ~ dbt.concat(["' row '", dbt.safe_cast("file_row", dbt.type_string())]) ~ " end",
            "case when column_name is null then '' else " ~ dbt.concat(["', column '", "column_name"]) ~ " end",
            "': '", "reason"
        ])) }} as reason_line
    from problems
)

select
    load_id,
    count(*) as problems,
    {{ dbt.listagg("reason_line", "'\n'", "order by severity_order, row_order, reason_line") }} as reasons
from lines
group by load_id
