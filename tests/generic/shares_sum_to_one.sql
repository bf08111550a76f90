{#- A split key (verdeelsleutel): for every combination of `group_by` the shares add up to 1
    (within `tolerance`), and each share lies in [0, 1]. -#}
{% test shares_sum_to_one(model, column_name, group_by, tolerance=1e-9) %}
    {%- set group_csv = group_by | join(', ') %}

    select
        {{ group_csv }},
        sum({{ column_name }}) as sum_of_shares,
        min({{ column_name }}) as smallest_share,
        max({{ column_name }}) as largest_share,
        {{ dbt.concat([
            "'" ~ model.identifier ~ ": the " ~ column_name ~ " of ('",
            "cast(" ~ group_by | join(" as " ~ dbt.type_string() ~ ") || ', ' || cast(") ~ " as " ~ dbt.type_string() ~ ")",
            "') add up to '", "cast(sum(" ~ column_name ~ ") as " ~ dbt.type_string() ~ ")",
            "' and lie between '", "cast(min(" ~ column_name ~ ") as " ~ dbt.type_string() ~ ")",
            "' and '", "cast(max(" ~ column_name ~ ") as " ~ dbt.type_string() ~ ")",
            "': shares lie in [0, 1] and add up to 1.'",
        ]) }} as message
    from {{ model }}
    group by {{ group_csv }}
    having
        abs(sum({{ column_name }}) - 1) > {{ tolerance }}
        or min({{ column_name }}) < 0
        or max({{ column_name }}) > 1
{% endtest %}
