{#- CONTRACT rule 4: the employment form of a relation type. `regular` is formal employment
    (formeel dienstverband); temp-agency work and sheltered secondments are loan relations
    (inleenverbanden). Any other relation type gets no form and so is never counted. -#}
{% macro employment_form(relation_type_column) -%}
    case
        when {{ relation_type_column }} = 'regular' then 'formal'
        when {{ relation_type_column }} in ('temp_agency', 'sheltered_secondment') then 'loan'
    end
{%- endmacro %}
