with

jobs_allocated as (
    select * from {{ ref('int_jobs_allocated') }}
),

final as (
    select
        measurement_year,
        sector,
        employment_form,
        paid_hours,
        jobs,
        split_key_share
    from jobs_allocated
)

select * from final
