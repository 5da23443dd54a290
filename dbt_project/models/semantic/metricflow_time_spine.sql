-- MetricFlow's day-grain time spine (offsets, cumulative metrics, filled gaps): one row per day.
{{ config(materialized='table', schema='semantic') }}

with days as (
    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2041-01-01' as date)") }}
),

final as (
    select
        cast(date_day as date) as date_day
    from days
)

select * from final
