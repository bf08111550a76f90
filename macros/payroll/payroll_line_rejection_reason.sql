{#- CONTRACT section 4: why a payroll line cannot be used, or null when it can. The rules, in
    this order (the first that applies is the reason): a missing id, an id that looks like a
    BSN (pseudonymous ids only), a missing or unreadable period, a period that ends before it
    starts or lasts five weeks or more, the same person, employer and period more than once
    (`is_duplicate`: every copy is rejected), unreadable, missing or negative hours, more hours
    than the period holds (24 h x its days), a missing or unknown relation type.
    `lines` is the alias of the staged payroll lines. Used by the classification and, to list
    the rejected lines one by one, by audit_rejected_rows. -#}
{% macro payroll_line_rejection_reason(lines, is_duplicate) -%}
    case
        when {{ lines }}.person_id is null or {{ lines }}.person_id = ''
            then 'missing_person_id'
        when {{ lines }}.employer_id is null or {{ lines }}.employer_id = ''
            then 'missing_employer_id'
        when
            {{ looks_like_a_bsn(lines ~ '.person_id') }}
            or {{ looks_like_a_bsn(lines ~ '.employer_id') }}
            then 'identifier_looks_like_a_bsn'
        when {{ lines }}.period_start is null or {{ lines }}.period_end is null
            then 'missing_or_unreadable_period'
        when {{ lines }}.period_end < {{ lines }}.period_start
            then 'period_ends_before_it_starts'
        when
            {{ dbt.datediff(lines ~ '.period_start', lines ~ '.period_end', 'day') }} >= 35
            then 'period_longer_than_five_weeks'
        when {{ is_duplicate }} then 'duplicate_line'
        when {{ lines }}.paid_hours_unreadable then 'unreadable_paid_hours'
        when {{ lines }}.paid_hours is null then 'missing_paid_hours'
        when {{ lines }}.paid_hours < 0 then 'negative_paid_hours'
        when
            {{ lines }}.paid_hours > 24 * (
                {{ dbt.datediff(lines ~ '.period_start', lines ~ '.period_end', 'day') }} + 1
            )
            then 'paid_hours_exceed_period'
        when {{ lines }}.relation_type is null then 'missing_relation_type'
        when
            {{ employment_form(lines ~ '.relation_type') }} is null
            and {{ lines }}.relation_type != 'sheltered_internal'
            then 'unknown_relation_type'
    end
{%- endmacro %}
