with

source as (
    select * from {{ ref('quota_parameters') }}
),

renamed as (
    select
        cast(quota_year as integer) as quota_year,
        sector,
        cast(baseline_jobs_a as integer) as baseline_jobs_a,
        cast(counted_extra_jobs_b as integer) as counted_extra_jobs_b,
        cast(is_activated as boolean) as is_activated,
        cast(published_quota_percentage as decimal(5, 2)) as published_quota_percentage,
        provenance,
        source as provenance_source
    from source
)

select * from renamed
