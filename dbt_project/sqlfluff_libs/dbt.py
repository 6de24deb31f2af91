"""Stand-ins for dbt-core's cross-database macros, so sqlfluff's jinja templater can render the models
without a database connection. They return DuckDB SQL of the same shape as the real macros."""


def type_string():
    return "varchar"


def type_bigint():
    return "bigint"


def type_int():
    return "integer"


def type_float():
    return "float"


def type_numeric():
    return "numeric"


def type_timestamp():
    return "timestamp"


def type_boolean():
    return "boolean"


def concat(fields):
    return " || ".join(fields)


def last_day(date, datepart):
    return f"last_day({date})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + interval ({interval}) {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def safe_cast(field, type):
    return f"try_cast({field} as {type})"


def split_part(string_text, delimiter_text, part_number):
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def hash(field):
    return f"md5({field})"


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"


def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    return f"string_agg({measure}, {delimiter_text})"


def bool_or(expression):
    return f"bool_or({expression})"


def cast_bool_to_text(field):
    return f"cast({field} as varchar)"


def current_timestamp():
    return "current_timestamp"
