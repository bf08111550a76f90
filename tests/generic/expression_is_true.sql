{#- Every row satisfies the SQL boolean `expression`; rows where it is false or null fail.
    Placed on a column or on the model; the expression names its columns itself. -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select
        *,
        '{{ model.identifier }}: a row where {{ expression | trim | replace("'", "''") }} is not true'
            as message
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}
