-- One row per customer and month with MRR at either end: the bridge behind kpi_monthly.
-- Customers keyed by account id; one known only by an email domain gets a hash of it.
{{ config(
    on_schema_change='fail',
    tags=['monthly'],
    **tally.windowed_config('month', grain='month')
) }}

with final as (
    select
        {{ tally.published_customer_key('customer_key') }} as customer_key,
        period_start as month,
        snapshot_day as as_of_date,
        mrr_start,
        mrr_end,
        movement_type,
        mrr_change as movement_amount
    from {{ ref('int_customer_mrr_changes') }}
    where grain = 'month'
)

{{ tally.month_window_select('month') }}
