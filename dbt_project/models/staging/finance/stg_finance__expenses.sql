-- Rows were validated on load (bad ones are in raw.quarantine; `month` is YYYY-MM), so the casts
-- here are safe.
with source as (
    select * from {{ source('finance', 'expenses') }}
),

final as (
    select
        cast(month || '-01' as date) as expense_month,
        lower(trim(category)) as category,
        nullif(lower(trim(channel)), '') as channel,
        cast(amount as decimal(18, 2)) as expense_amount,
        upper(trim(currency)) as currency,
        _file as source_file,
        _line_number as source_line
    from source
)

select * from final
