-- Daily rates to the reporting currency, one row per (currency, day) as landed (no filling:
-- a missing day is an error where an amount needs it).
select
    currency,
    rate_date,
    rate_to_reporting
from {{ ref('stg_finance__fx_rates') }}
