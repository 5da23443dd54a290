with source as (
    select * from {{ source('finance', 'fx_rates') }}
),

deduped as (
    {#- the last line wins when a day and currency appear twice -#}
    select * from source
    qualify row_number() over (
        partition by cast({{ adapter.quote('date') }} as date), upper(trim(currency))
        order by _line_number desc
    ) = 1
),

final as (
    select
        cast({{ adapter.quote('date') }} as date) as rate_date,
        upper(trim(currency)) as currency,
        cast(rate_to_reporting as decimal(18, 8)) as rate_to_reporting
    from deduped
)

select * from final
