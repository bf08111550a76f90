{#- CONTRACT rule 3: the day on which register membership counts for measurement year Y,
    31 December Y (the last day of the reference month December Y, rule 1). -#}
{% macro reference_day(year_expression) -%}
    cast(
        {{ dbt.concat(["cast(" ~ year_expression ~ " as " ~ dbt.type_string() ~ ")", "'-12-31'"]) }}
        as date
    )
{%- endmacro %}

{#- CONTRACT rule 3: whether the person of a line is in the target group register
    (doelgroepregister) on the reference day of its measurement year: a registration with
    valid_from on or before 31 December and valid_to empty or on or after it. `register` is a
    relation or CTE with person_id, valid_from and valid_to. -#}
{% macro is_registered_on_reference_day(person_id, measurement_year, register) -%}
    exists(
        select 1
        from {{ register }} as registration
        where
            registration.person_id = {{ person_id }}
            and registration.valid_from <= {{ reference_day(measurement_year) }}
            and (
                registration.valid_to is null
                or registration.valid_to >= {{ reference_day(measurement_year) }}
            )
    )
{%- endmacro %}
