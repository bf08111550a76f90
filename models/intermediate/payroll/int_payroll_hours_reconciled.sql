{#- Per measurement year: the December input = counted + excluded (by rule) + rejected, in lines
    and in hours. `unexplained_*` must be zero to the hour (CONTRACT section 4). -#}

with

-- The input side, counted straight from the files (int_payroll_lines_by_file_and_year).
december_input as (
    select
        measurement_year,
        cast(sum(n_december_lines) as bigint) as n_lines,
        cast(sum(december_paid_hours) as decimal(38, 2)) as paid_hours
    from {{ ref('int_payroll_lines_by_file_and_year') }}
    where measurement_year is not null
    group by measurement_year
    having sum(n_december_lines) > 0
),

classified as (
    select * from {{ ref('int_payroll_lines_classified') }}
    where is_reference_month
),

outcomes as (
    select
        measurement_year,
        sum(n_lines) as classified_lines,
        sum(case when outcome = 'counted' then paid_hours else 0 end) as counted_hours,
        sum(case when reason = 'not_in_register' then paid_hours else 0 end)
            as excluded_not_in_register_hours,
        sum(case when reason = 'sheltered_internal' then paid_hours else 0 end)
            as excluded_sheltered_internal_hours,
        sum(case when outcome = 'rejected' then paid_hours else 0 end) as rejected_hours,
        sum(case when outcome = 'rejected' then n_lines else 0 end) as rejected_lines
    from classified
    group by measurement_year
),

final as (
    select
        coalesce(december_input.measurement_year, outcomes.measurement_year) as measurement_year,
        coalesce(december_input.n_lines, 0) as input_lines,
        coalesce(december_input.paid_hours, 0) as input_hours,
        coalesce(outcomes.counted_hours, 0) as counted_hours,
        coalesce(outcomes.excluded_not_in_register_hours, 0) as excluded_not_in_register_hours,
        coalesce(outcomes.excluded_sheltered_internal_hours, 0)
            as excluded_sheltered_internal_hours,
        coalesce(outcomes.rejected_hours, 0) as rejected_hours,
        coalesce(outcomes.rejected_lines, 0) as rejected_lines,
        coalesce(december_input.n_lines, 0) - coalesce(outcomes.classified_lines, 0)
            as unexplained_lines,
        coalesce(december_input.paid_hours, 0)
        - coalesce(outcomes.counted_hours, 0)
        - coalesce(outcomes.excluded_not_in_register_hours, 0)
        - coalesce(outcomes.excluded_sheltered_internal_hours, 0)
        - coalesce(outcomes.rejected_hours, 0) as unexplained_hours
    from december_input
    full outer join outcomes
        on december_input.measurement_year = outcomes.measurement_year
)

select * from final
