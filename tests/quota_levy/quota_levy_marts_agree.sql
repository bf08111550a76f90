{#- The two quota marts tell one story: per quota year and sector, the employers' quota
    percentage is the sector's, and the sector's levy and what-if levy are the sums over its
    employers (where the sector's input is complete). -#}
with

percentages as (
    select * from {{ ref('mart_quota_percentages') }}
),

levy as (
    select * from {{ ref('mart_quota_levy') }}
),

employers_summed as (
    select
        quota_year,
        sector,
        count(distinct quota_percentage) as n_percentages,
        min(quota_percentage) as quota_percentage,
        coalesce(sum(levy_eur), 0) as levy_eur,
        coalesce(sum(what_if_levy_eur), 0) as what_if_levy_eur
    from levy
    group by quota_year, sector
),

compared as (
    select
        employers_summed.quota_year,
        employers_summed.sector,
        employers_summed.n_percentages,
        employers_summed.quota_percentage as employers_quota_percentage,
        percentages.quota_percentage,
        employers_summed.levy_eur as employers_levy_eur,
        percentages.levy_eur,
        employers_summed.what_if_levy_eur as employers_what_if_levy_eur,
        percentages.what_if_levy_eur
    from employers_summed
    left join percentages
        on
            employers_summed.quota_year = percentages.quota_year
            and employers_summed.sector = percentages.sector
),

final as (
    select
        *,
        'mart_quota_levy and mart_quota_percentages disagree for '
        || cast(quota_year as {{ dbt.type_string() }}) || ', ' || sector
        || ': the percentage, or the levy summed over the employers, differs from the sector row.'
            as message
    from compared
    where
        n_percentages > 1
        or employers_quota_percentage is distinct from quota_percentage
        or (levy_eur is not null and levy_eur != employers_levy_eur)
        or (what_if_levy_eur is not null and what_if_levy_eur != employers_what_if_levy_eur)
)

select * from final
