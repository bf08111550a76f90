{#- The year-on-year paragraph of the results letter ('Ontwikkelingen van de banenafspraak'):
    the change in extra jobs against the previous year, per sector and form, for the latest
    measured year (or var `report_year`), with the extra jobs against the baseline beside it. -#}
with

year_on_year as (
    select * from {{ ref('mart_year_on_year') }}
),

baseline_comparison as (
    select * from {{ ref('mart_baseline_comparison') }}
),

report_year as (
    {{ report_year('year_on_year') }}
),

final as (
    select
        year_on_year.measurement_year as meetjaar,
        case year_on_year.sector
            when 'market' then 'Markt'
            when 'government' then 'Overheid'
            when 'total' then 'Totaal'
        end as sector,
        case year_on_year.employment_form
            when 'formal' then 'Formele dienstverbanden'
            when 'loan' then 'Inleenverbanden'
            when 'total' then 'Totaal'
        end as vorm,
        year_on_year.delta_rounded as verschil_met_vorig_jaar,
        baseline_comparison.extra_jobs_rounded as extra_banen_tov_nulmeting,
        case year_on_year.sector when 'market' then 1 when 'government' then 2 else 3 end
            as sector_order,
        case year_on_year.employment_form when 'formal' then 1 when 'loan' then 2 else 3 end
            as form_order
    from year_on_year
    inner join report_year
        on year_on_year.measurement_year = report_year.measurement_year
    inner join baseline_comparison
        on
            year_on_year.measurement_year = baseline_comparison.measurement_year
            and year_on_year.sector = baseline_comparison.sector
            and year_on_year.employment_form = baseline_comparison.employment_form
)

select
    meetjaar,
    sector,
    vorm,
    verschil_met_vorig_jaar,
    extra_banen_tov_nulmeting
from final
order by sector_order, form_order
