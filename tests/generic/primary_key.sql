{#- The grain test: the columns identify a row. Fails on every combination that occurs more
    than once, and on rows where a key column is null unless it is listed in `nullable` (a loan
    row has no employer sector: null is then a key value like any other). One query for what
    unique + not_null tests would do per column. -#}
{% test primary_key(model, columns, nullable=[]) %}
    {%- set columns_csv = columns | join(', ') %}
    {%- set key_text = [] %}
    {%- for column in columns %}
        {%- do key_text.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), 'null')") %}
    {%- endfor %}

    select
        *,
        {{ dbt.concat([
            "'" ~ model.identifier ~ ": the key (" ~ columns_csv ~ ") = ('",
            key_text | join(" || ', ' || "),
            "') '",
            "case when problem = 'duplicate key' then 'occurs ' || cast(n_rows as "
            ~ dbt.type_string() ~ ") || ' times' else 'has a ' || problem end",
            "': its grain is one row per key.'",
        ]) }} as message
    from (

    select
        {{ columns_csv }},
        count(*) as n_rows,
        'duplicate key' as problem
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1

    {%- for column in columns if column not in nullable %}

    union all

    select
        {{ columns_csv }},
        1 as n_rows,
        'null {{ column }}' as problem
    from {{ model }}
    where {{ column }} is null
    {%- endfor %}
    ) as failing
{% endtest %}
