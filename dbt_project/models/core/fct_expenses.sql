-- Monthly expenses in the reporting currency, at the rate of the month's first day; one row per
-- line of finance/expenses.csv.
with expenses as (
    select * from {{ ref('stg_finance__expenses') }}
),

final as (
    select
        e.expense_month,
        e.category,
        e.channel,
        e.currency,
        {{ tally.to_reporting('e.expense_amount', 'e.currency', 'e.expense_month') }}
            as expense_amount,
        e.source_file,
        e.source_line
    from expenses as e
    {{ tally.fx_join('e.currency', 'e.expense_month') }}
)

select * from final
