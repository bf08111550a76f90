{#- Tabel 1 of the results letter: extra jobs against the baseline (nulmeting) at the end of the
    latest measured year, per form (rows) and sector (columns), with the targets of the social
    agreement (Doelstelling Sociaal Akkoord). Set var `report_year` for another year.
    Column `bron` says how many of a row's figures are published (or derived from published
    figures); the others are reproduced from reconstructed or assumed inputs. -#}
with

baseline_comparison as (
    select * from {{ ref('mart_baseline_comparison') }}
),

published_figures as (
    select * from {{ ref('stg_seeds__published_figures') }}
),

report_year as (
    {{ report_year('baseline_comparison') }}
),

selected as (
    select baseline_comparison.*
    from baseline_comparison
    inner join report_year
        on baseline_comparison.measurement_year = report_year.measurement_year
),

figures as (
    select
        measurement_year,
        employment_form as row_key,
        sector,
        extra_jobs_rounded as figure,
        exists (
            select 1
            from published_figures
            where
                published_figures.measurement_year = selected.measurement_year
                and published_figures.sector = selected.sector
                and published_figures.employment_form = selected.employment_form
                and published_figures.metric = 'extra_jobs'
                and published_figures.status in ('published', 'revised', 'derived')
        ) and {{ compare_published_figures() }} as is_published
    from selected
    union all
    select
        measurement_year,
        'target' as row_key,
        sector,
        target_extra_jobs as figure,
        true as is_published
    from selected
    where employment_form = 'total'
),

pivoted as (
    select
        measurement_year as meetjaar,
        case row_key
            when 'formal' then 'Formele dienstverbanden'
            when 'loan' then 'Inleenverbanden (uitzendrelaties en Wsw-detacheringen)'
            when 'total' then 'Totaal'
            when 'target' then 'Doelstelling Sociaal Akkoord'
        end as vorm,
        max(case when sector = 'market' then figure end) as toename_banen_markt,
        max(case when sector = 'government' then figure end) as toename_banen_overheid,
        max(case when sector = 'total' then figure end) as totale_toename_banen,
        case
            when min(case when is_published then 1 else 0 end) = 1 then 'gepubliceerd'
            when max(case when is_published then 1 else 0 end) = 1
                then
                    cast(sum(case when is_published then 1 else 0 end) as {{ dbt.type_string() }})
                    || ' van 3 gepubliceerd'
            else 'gereconstrueerd'
        end as bron,
        case row_key
            when 'formal' then 1
            when 'loan' then 2
            when 'total' then 3
            when 'target' then 4
        end as row_order
    from figures
    group by measurement_year, row_key
)

select
    meetjaar,
    vorm,
    toename_banen_markt,
    toename_banen_overheid,
    totale_toename_banen,
    bron
from pivoted
order by row_order
