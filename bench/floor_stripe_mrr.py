"""The floor: month-end MRR, paying customers and the MRR movements, straight from the landed
Stripe JSON files by one DuckDB connection (no load step, no warehouse, no dbt, no Dagster).

The same numbers as Tally's `marts.kpi_monthly` (mrr, paying_customers, new_mrr,
reactivation_mrr, expansion_mrr, contraction_mrr, churned_mrr), made with the fewest machine
steps: read the files with DuckDB's JSON reader (only the fields MRR needs), keep each
subscription's last version of each landed day, cut each subscription's life into segments of
constant MRR, and value customers only on the days the movements compare (month ends and the
as-of day), not on every day.

Semantics (KPIS.md, the places where it leaves room as the README says Tally chooses them):

- Versions in time: a version governs from the start of the day of the file it landed in; of
  several versions of one subscription in one day's file, the last line wins. A first version
  that is not trialing counts from `start_date`, a trial that converts from `trial_end`,
  `ended_at` ends the subscription on its own day even when landed later, `cancel_at` ends it
  within its version.
- MRR: `active` and `past_due` subscriptions, licensed items, `unit_amount x quantity` normalised
  to a month (year / 12, month / interval_count, week x 52 / 12, day x 365 / 12), after the
  discounts in force that day in array order (percent off multiplies, amount off is spread over
  the billing period), converted to USD at the day's rate of `finance/fx_rates.csv` (a missing
  rate is an error). Amounts are rounded where Tally rounds them (4 decimals), so the sums agree
  to the cent and beyond.
- Customers are accounts: `metadata.account_id`, else the account id of the only account using
  the company email domain, else the domain, else the Stripe customer id.
- Movements compare each customer's MRR at the previous month's end with this month's end
  (month-to-date for the running month); "new" means no MRR on any earlier day.
- The calendar runs from the first to the last landed day of subscriptions, invoices and
  charges; reporting time zone UTC; reporting currency USD.

Usage:
    floor_stripe_mrr.py LANDING [--json OUT]     (prints the months; OUT gets them as JSON)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

KPI_COLUMNS = (
    "mrr",
    "paying_customers",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
)
DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$")
ZERO_DECIMAL = (
    "('bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', "
    "'vuv', 'xaf', 'xof', 'xpf')"
)
FREE_MAIL = (
    "('gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', "
    "'yahoo.com', 'yahoo.co.uk', 'ymail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', "
    "'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'web.de', 'mail.com', 'yandex.com', "
    "'zoho.com', 'qq.com', '163.com')"
)


def _days(folder: Path) -> list[date]:
    if not folder.is_dir():
        return []
    return [
        date.fromisoformat(m.group(1))
        for p in folder.iterdir()
        if (m := DAY_FILE.match(p.name)) and p.stat().st_size > 0
    ]


def _glob(landing: Path, obj: str) -> str:
    return str(landing / "stripe" / obj / "*.jsonl*")


def _reader(landing: Path, obj: str, columns: dict[str, str]) -> str:
    cols = ", ".join(f"{k!r}: {v!r}" for k, v in columns.items())
    return (
        f"read_ndjson({_glob(landing, obj)!r}, columns={{{cols}}}, filename = true, "
        "format = 'newline_delimited')"
    )


def _latest(landing: Path, obj: str, columns: dict[str, str]) -> str:
    """The latest version of each record: file day, then file, then line (these objects carry no
    update time)."""
    return f"""
        select * exclude (rn, filename) from (
            select *, row_number() over () as rn from {_reader(landing, obj, columns)}
        )
        qualify row_number() over (
            partition by id
            order by regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})', 1) desc,
                filename desc, rn desc
        ) = 1
    """


def _minor_to_major(amount: str, currency: str) -> str:
    return (
        f"cast(case when lower({currency}) in {ZERO_DECIMAL} then ({amount}) "
        f"else ({amount}) / 100 end as decimal(18, 4))"
    )


def _date(epoch: str) -> str:
    return f"cast(make_timestamp(({epoch})::bigint * 1000000) as date)"


def floor_sql(landing: Path, first_day: date, as_of: date) -> str:
    has_prices = bool(_days(landing / "stripe" / "prices"))
    has_coupons = bool(_days(landing / "stripe" / "coupons"))
    prices = (
        _latest(
            landing,
            "prices",
            {
                "id": "VARCHAR",
                "currency": "VARCHAR",
                "unit_amount": "BIGINT",
                "recurring": "JSON",
            },
        )
        if has_prices
        else "select null::varchar as id, null::varchar as currency, "
        "null::bigint as unit_amount, null::json as recurring where false"
    )
    coupons = (
        _latest(
            landing,
            "coupons",
            {
                "id": "VARCHAR",
                "percent_off": "VARCHAR",
                "amount_off": "BIGINT",
                "currency": "VARCHAR",
            },
        )
        if has_coupons
        else "select null::varchar as id, null::varchar as percent_off, "
        "null::bigint as amount_off, null::varchar as currency where false"
    )
    subscriptions = _reader(
        landing,
        "subscriptions",
        {
            "id": "VARCHAR",
            "customer": "JSON",
            "status": "VARCHAR",
            "currency": "VARCHAR",
            "start_date": "BIGINT",
            "trial_end": "BIGINT",
            "cancel_at": "BIGINT",
            "ended_at": "BIGINT",
            "items": "JSON",
            "discount": "JSON",
            "discounts": "JSON",
        },
    )
    customers = _latest(
        landing,
        "customers",
        {"id": "VARCHAR", "email": "VARCHAR", "metadata": "JSON", "deleted": "BOOLEAN"},
    )
    first, last = f"date '{first_day}'", f"date '{as_of}'"
    return f"""
with
raw_versions as (
    select *, row_number() over () as rn,
        cast(regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})\\.jsonl', 1) as date) as day
    from {subscriptions}
),
day_versions as (
    select
        id as subscription_id,
        case when json_type(customer) = 'OBJECT' then customer ->> '$.id'
             else customer ->> '$' end as customer_id,
        status, lower(currency) as currency, start_date, trial_end, cancel_at, ended_at,
        items -> '$.data' as items,
        case when json_type(discount) = 'OBJECT' then json_array(discount)
             when json_type(discounts) = 'ARRAY' then discounts
             else json_array() end as discounts,
        day
    from raw_versions
    qualify row_number() over (partition by id, day order by filename desc, rn desc) = 1
),
ordered as (
    select *,
        row_number() over w as version_number,
        lag(status) over w as previous_status,
        lag(day) over w as previous_day
    from day_versions
    window w as (partition by subscription_id order by day)
),
effective as (
    select *,
        case
            when version_number = 1 and status <> 'trialing'
                then least(day, {_date("start_date")})
            when previous_status = 'trialing' and status <> 'trialing' and trial_end is not null
                then greatest(previous_day, least(day, {_date("trial_end")}))
            else day
        end as effective_from
    from ordered
),
versions as (
    select * from (
        select *,
            coalesce(lead(effective_from) over (partition by subscription_id order by day),
                     date '9999-12-31') as effective_to,
            least(
                coalesce(min({_date("ended_at")}) over (partition by subscription_id),
                         date '9999-12-31'),
                coalesce({_date("cancel_at")}, date '9999-12-31')
            ) as stops_billing
        from effective
    )
    where effective_from < effective_to
),
prices as ({prices}),
coupons as ({coupons}),
items as (
    select
        v.subscription_id, v.day,
        case when json_type(item, '$.price') = 'OBJECT' then item ->> '$.price.id'
             else item ->> '$.price' end as price_id,
        coalesce(try_cast(item ->> '$.quantity' as bigint), 1) as quantity,
        lower(coalesce(item ->> '$.price.currency', p.currency)) as currency,
        coalesce(try_cast(item ->> '$.price.unit_amount' as bigint), p.unit_amount)
            as unit_amount_minor,
        coalesce(item ->> '$.price.recurring.interval', p.recurring ->> '$.interval')
            as recurring_interval,
        coalesce(try_cast(item ->> '$.price.recurring.interval_count' as bigint),
                 try_cast(p.recurring ->> '$.interval_count' as bigint), 1)
            as recurring_interval_count,
        coalesce(item ->> '$.price.recurring.usage_type', p.recurring ->> '$.usage_type',
                 'licensed') as usage_type
    from versions as v,
        unnest(cast(coalesce(v.items, '[]') as json[])) as t(item)
    left join prices as p
        on p.id = case when json_type(item, '$.price') = 'OBJECT' then item ->> '$.price.id'
                       else item ->> '$.price' end
),
version_items as (
    select
        subscription_id, day,
        min(currency) as currency,
        sum(cast(case
            when usage_type = 'metered' then 0
            else coalesce({_minor_to_major("unit_amount_minor", "currency")}, 0) * quantity
                * coalesce(case recurring_interval
                    when 'month' then 1.0 / recurring_interval_count
                    when 'year' then 1.0 / (12 * recurring_interval_count)
                    when 'week' then 52.0 / 12 / recurring_interval_count
                    when 'day' then 365.0 / 12 / recurring_interval_count
                end, 0)
            end as decimal(18, 4))) as items_mrr,
        min(case recurring_interval
                when 'month' then 1.0 * recurring_interval_count
                when 'year' then 12.0 * recurring_interval_count
                when 'week' then 12.0 / 52 * recurring_interval_count
                when 'day' then 12.0 / 365 * recurring_interval_count
            end) filter (where usage_type <> 'metered') as months_per_period
    from items
    group by subscription_id, day
),
discounts as (
    select
        d.subscription_id, d.day, d.position,
        coalesce(try_cast(d.coupon ->> '$.percent_off' as decimal(9, 4)),
                 try_cast(c.percent_off as decimal(9, 4))) as percent_off,
        coalesce(try_cast(d.coupon ->> '$.amount_off' as bigint), c.amount_off)
            as amount_off_minor,
        lower(coalesce(d.coupon ->> '$.currency', c.currency)) as amount_off_currency,
        {_date("try_cast(d.discount ->> '$.start' as bigint)")} as start_date,
        {_date("try_cast(d.discount ->> '$.end' as bigint)")} as end_date
    from (
        select v.subscription_id, v.day, x.position, x.discount,
            case when json_type(x.discount, '$.coupon') = 'OBJECT' then x.discount -> '$.coupon'
                 when json_type(x.discount, '$.source.coupon') = 'OBJECT'
                    then x.discount -> '$.source.coupon' end as coupon,
            coalesce(
                case when json_type(x.discount, '$.coupon') = 'OBJECT'
                    then x.discount ->> '$.coupon.id' else x.discount ->> '$.coupon' end,
                case when json_type(x.discount, '$.source.coupon') = 'OBJECT'
                    then x.discount ->> '$.source.coupon.id'
                    else x.discount ->> '$.source.coupon' end
            ) as coupon_id
        from versions as v,
            unnest(cast(v.discounts as json[])) with ordinality as x(discount, position)
        where json_type(x.discount) = 'OBJECT'
    ) as d
    left join coupons as c on c.id = d.coupon_id
    where coalesce(try_cast(d.coupon ->> '$.percent_off' as decimal(9, 4)),
                   try_cast(c.percent_off as decimal(9, 4))) is not null
       or coalesce(try_cast(d.coupon ->> '$.amount_off' as bigint), c.amount_off) is not null
),
points as (
    select subscription_id, day, effective_from as point from versions
    union
    select v.subscription_id, v.day, p.point
    from versions as v
    left join discounts as d using (subscription_id, day)
    cross join lateral (
        select unnest([d.start_date, d.end_date, v.stops_billing,
                       {_date("v.trial_end")}]) as point
    ) as p
    where p.point > v.effective_from and p.point < v.effective_to
),
segments as (
    select
        p.subscription_id, p.day, p.point as segment_from,
        coalesce(lead(p.point) over (partition by p.subscription_id, p.day order by p.point),
                 v.effective_to) as segment_to
    from points as p
    join versions as v using (subscription_id, day)
),
valued as (
    select
        s.subscription_id, v.customer_id, s.segment_from, s.segment_to,
        coalesce(i.currency, v.currency) as currency,
        s.segment_from < v.stops_billing and v.status in ('active', 'past_due') as is_billing,
        coalesce(i.items_mrr, 0) as undiscounted_mrr,
        i.months_per_period,
        (select list({{'percent_off': d.percent_off::double,
                       'amount_off': {
        _minor_to_major("d.amount_off_minor", "d.amount_off_currency")
    }::double}}
                     order by d.position)
         from discounts as d
         where d.subscription_id = s.subscription_id and d.day = s.day
           and coalesce(d.start_date, date '0001-01-01') <= s.segment_from
           and s.segment_from < coalesce(d.end_date, date '9999-12-31')) as applied
    from segments as s
    join versions as v using (subscription_id, day)
    left join version_items as i using (subscription_id, day)
    where s.segment_from < s.segment_to
),
paying_segments as (
    select * from (
        select subscription_id, customer_id, currency,
            greatest(segment_from, {first}) as segment_from,
            least(segment_to, {last} + 1) as segment_to,
            cast(case when not is_billing then 0 else greatest(
                list_reduce(coalesce(applied, []),
                    lambda acc, d: greatest(
                        acc * (1 - coalesce(d.percent_off, 0) / 100)
                            - coalesce(d.amount_off, 0) / coalesce(months_per_period, 1),
                        0),
                    undiscounted_mrr::double),
                0) end as decimal(18, 4)) as mrr
        from valued
    )
    where mrr > 0 and segment_from < segment_to
),
customers as ({customers}),
identity as (
    select id as customer_id,
        nullif(trim(metadata ->> '$.account_id'), '') as account_id,
        case when nullif(lower(trim(split_part(email, '@', 2))), '') not in {FREE_MAIL}
             then nullif(lower(trim(split_part(email, '@', 2))), '') end as company_domain
    from customers
    where not coalesce(deleted, false)
),
domain_accounts as (
    select company_domain, min(account_id) as account_id
    from identity
    where account_id is not null and company_domain is not null
    group by company_domain
    having count(distinct account_id) = 1
),
customer_keys as (
    select i.customer_id,
        coalesce(i.account_id, d.account_id, 'domain:' || i.company_domain,
                 'stripe:' || i.customer_id) as customer_key
    from identity as i
    left join domain_accounts as d using (company_domain)
),
keyed as (
    select s.*, coalesce(k.customer_key, 'stripe:' || s.customer_id) as customer_key
    from paying_segments as s
    left join customer_keys as k using (customer_id)
),
months as (
    select cast(m as date) as month,
        least(last_day(cast(m as date)), {last}) as snapshot_day,
        cast(m as date) - 1 as previous_day
    from generate_series(date_trunc('month', {first}), date_trunc('month', {last}),
                         interval 1 month) as t(m)
),
snapshot_days as (
    select snapshot_day as d from months
    union
    select previous_day from months where previous_day >= {first}
),
fx as (
    select cast("date" as date) as rate_date, upper(trim(currency)) as currency,
        cast(rate_to_reporting as decimal(18, 8)) as rate
    from read_csv({str(landing / "finance" / "fx_rates.csv")!r}, header = true,
                  columns = {{'date': 'VARCHAR', 'currency': 'VARCHAR',
                             'rate_to_reporting': 'VARCHAR'}})
    qualify row_number() over (
        partition by cast("date" as date), upper(trim(currency)) order by rate_date) = 1
),
customer_mrr as (
    select k.customer_key, sd.d as day,
        sum(cast(cast(k.mrr as decimal(38, 6)) * case
            when upper(k.currency) = 'USD' then 1
            when fx.rate is not null then fx.rate
            else error('missing FX rate: no rate for ' || upper(k.currency) || ' on '
                       || cast(sd.d as varchar))
        end as decimal(18, 4))) as mrr
    from snapshot_days as sd
    join keyed as k on k.segment_from <= sd.d and sd.d < k.segment_to
    left join fx on fx.currency = upper(k.currency) and fx.rate_date = sd.d
    group by k.customer_key, sd.d
),
first_paid as (
    select customer_key, min(segment_from) as first_paid_day from keyed group by customer_key
),
pairs as (
    select m.month, m.previous_day, cur.customer_key,
        coalesce(prev.mrr, 0) as mrr_start, cur.mrr as mrr_end
    from months as m
    join customer_mrr as cur on cur.day = m.snapshot_day
    left join customer_mrr as prev
        on prev.day = m.previous_day and prev.customer_key = cur.customer_key
),
starts_only as (
    select m.month, m.previous_day, prev.customer_key, prev.mrr as mrr_start, 0 as mrr_end
    from months as m
    join customer_mrr as prev on prev.day = m.previous_day
    anti join customer_mrr as cur
        on cur.day = m.snapshot_day and cur.customer_key = prev.customer_key
),
changes as (
    select p.month, p.mrr_start, p.mrr_end,
        cast(p.mrr_end - p.mrr_start as decimal(18, 4)) as change,
        case
            when p.mrr_start = 0 and p.mrr_end > 0 and f.first_paid_day > p.previous_day
                then 'new'
            when p.mrr_start = 0 and p.mrr_end > 0 then 'reactivation'
            when p.mrr_start > 0 and p.mrr_end = 0 then 'churn'
            when p.mrr_end > p.mrr_start then 'expansion'
            when p.mrr_end < p.mrr_start then 'contraction'
            else 'unchanged'
        end as movement
    from (
        select * from pairs
        union all
        select * from starts_only
    ) as p
    join first_paid as f using (customer_key)
)
select
    m.month,
    coalesce(sum(c.mrr_end), 0) as mrr,
    count(*) filter (where c.mrr_end > 0) as paying_customers,
    coalesce(sum(c.change) filter (where c.movement = 'new'), 0) as new_mrr,
    coalesce(sum(c.change) filter (where c.movement = 'reactivation'), 0) as reactivation_mrr,
    coalesce(sum(c.change) filter (where c.movement = 'expansion'), 0) as expansion_mrr,
    coalesce(-sum(c.change) filter (where c.movement = 'contraction'), 0) as contraction_mrr,
    coalesce(-sum(c.change) filter (where c.movement = 'churn'), 0) as churned_mrr
from months as m
left join changes as c using (month)
group by m.month
order by m.month
"""


def floor_kpis(landing: Path, con: duckdb.DuckDBPyConnection | None = None) -> list[dict]:
    """One dict per month: `month` and the KPI_COLUMNS, as Tally's kpi_monthly has them."""
    landing = Path(landing)
    days = [
        d
        for obj in ("subscriptions", "invoices", "charges")
        for d in _days(landing / "stripe" / obj)
    ]
    if not days:
        raise SystemExit(f"no Stripe subscriptions, invoices or charges under {landing}")
    con = con or duckdb.connect()
    rows = con.sql(floor_sql(landing, min(days), max(days))).fetchall()
    return [dict(zip(("month", *KPI_COLUMNS), row, strict=True)) for row in rows]


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--json", type=Path, help="write the months as JSON here")
    args = parser.parse_args(argv)
    started = time.monotonic()
    months = floor_kpis(args.landing)
    elapsed = time.monotonic() - started
    print("month       " + " ".join(f"{c:>18}" for c in KPI_COLUMNS))
    for m in months:
        print(f"{m['month']}  " + " ".join(f"{m[c]!s:>18}" for c in KPI_COLUMNS))
    print(f"floor: {len(months)} months in {elapsed:.2f}s")
    if args.json:
        args.json.write_text(
            json.dumps([{k: _jsonable(v) for k, v in m.items()} for m in months], indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
