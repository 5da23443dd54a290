"""GA4 BigQuery-export rows for the simulated business, generated in DuckDB.

Millions of events are too many for a Python loop, so they are generated set-based: randomness
comes from `hash(seed, ...)`, which gives the same rows on any thread count. Anonymous traffic,
sign-ups (with `user_id` and the `account_id` user property) and product usage (`login`,
`user_engagement`, `activation`) are three tables of sessions, expanded into events and written
one gzipped file per day.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from sample.business import CHANNELS, Account

# Traffic mix of anonymous sessions: (source, medium, campaign, weight).
_TRAFFIC = [
    ("google", "organic", None, 0.34),
    ("google", "cpc", "brand_search", 0.14),
    ("linkedin", "cpc", "linkedin_b2b", 0.08),
    ("linkedin.com", "referral", None, 0.07),
    ("newsletter", "email", "monthly_digest", 0.06),
    ("partner.example.com", "referral", None, 0.07),
    ("(direct)", "(none)", None, 0.18),
    ("bing", "organic", None, 0.06),
]
_PAGES = ["/", "/pricing", "/features", "/blog/saas-metrics", "/docs", "/customers", "/signup"]


def write_ga4(
    out: Path, accounts: list[Account], start: date, end: date, scale: float, seed: int
) -> int:
    """Write `ga4/events/<day>.jsonl.gz` for every day; returns the number of events."""
    con = duckdb.connect()
    con.execute(f"create macro rnd(a, b, c) as (hash({seed}, a, b, c) % 1000003) / 1000003.0")
    traffic = pd.DataFrame(_TRAFFIC, columns=["source", "medium", "campaign", "weight"])
    traffic["cum_hi"] = traffic["weight"].cumsum() / traffic["weight"].sum()
    traffic["cum_lo"] = traffic["cum_hi"] - traffic["weight"] / traffic["weight"].sum()
    con.register("traffic", traffic)
    con.register("accounts", _accounts_frame(accounts, end))
    con.register("pages", pd.DataFrame({"n": range(len(_PAGES)), "page": _PAGES}))
    con.execute(
        f"""
        create table days as
        select
            d::date as day,
            (d::date - date '{start}') / greatest(date '{end}' - date '{start}', 1) as progress
        from generate_series(date '{start}', date '{end}', interval 1 day) as t(d)
        """
    )
    # Anonymous sessions: ~650 a day at scale 1, growing, fewer at weekends.
    con.execute(
        f"""
        create table sessions as
        with counts as (
            select day, cast({scale} * 520 * (0.7 + 0.6 * progress)
                             * (case when dayofweek(day) in (0, 6) then 0.6 else 1.1 end)
                             * (0.85 + 0.3 * rnd(epoch(day), 0, 0)) as integer) as n
            from days
        ), expanded as (
            select day, i from counts, range(n) as r(i)
        )
        select
            day,
            i as session_no,
            rnd(epoch(day), i, 1) < 0.72 as is_new,
            case when rnd(epoch(day), i, 1) < 0.72
                 then epoch(day)::bigint * 100000 + i
                 else (epoch(day)::bigint - 86400 * (1 + floor(rnd(epoch(day), i, 2) * 60)))
                      * 100000 + floor(rnd(epoch(day), i, 3) * 300)::bigint
            end as visitor,
            epoch_us(day::timestamp) + floor(rnd(epoch(day), i, 4) * 86400e6)::bigint as ts,
            1 + floor(rnd(epoch(day), i, 5) * 4)::integer as pageviews,
            rnd(epoch(day), i, 6) as traffic_roll,
            rnd(epoch(day), i, 7) < 0.7 as mobile,
            null::varchar as user_id,
            null::varchar as account_id,
            false as signup,
            false as login,
            false as activation
        from expanded
        """
    )
    # Sign-ups: the account's first session, with its own channel.
    con.execute(
        """
        insert into sessions
        select signup_day, 90000 + number, true, signup_day_epoch * 100000 + 90000 + number,
               signup_us, 2, channel_roll, false, user_id, ga4_account_id, true, false, false
        from accounts
        """
    )
    # Product usage: each user of an account logs in on ~40% of weekdays while subscribed.
    con.execute(
        """
        insert into sessions
        with usage_days as (
            select a.*, u.n as user_no, d.day
            from accounts as a, range(a.users) as u(n), days as d
            where d.day between a.signup_day and a.active_until
        )
        select
            day,
            100000 + number * 10 + user_no,
            false,
            signup_day_epoch * 100000 + 90000 + number + user_no * 7,
            epoch_us(day::timestamp)
                + floor((7 + 11 * rnd(number, user_no, epoch(day))) * 3600e6)::bigint,
            1,
            0.999,
            rnd(number, user_no, epoch(day) + 1) < 0.6,
            'u_' || number || '_' || user_no,
            ga4_account_id,
            false,
            true,
            user_no = 0 and day = signup_day + 1 and activates
        from usage_days
        where rnd(number, user_no, epoch(day)) < case when dayofweek(day) in (0, 6) then 0.08
                                                      else 0.4 end
        """
    )
    con.execute(
        """
        create table events as
        with s as (
            select
                sessions.*,
                coalesce(a.source, t.source) as source,
                coalesce(a.medium, t.medium) as medium,
                coalesce(a.campaign, t.campaign) as campaign,
                (ts // 1000000)::bigint as session_id,
                cast(visitor % 2147483647 as varchar) || '.' || cast(visitor // 100000 as varchar)
                    as user_pseudo_id
            from sessions
            left join traffic as t
                on sessions.traffic_roll >= t.cum_lo and sessions.traffic_roll < t.cum_hi
            left join (select distinct 'u_' || number || '_0' as uid, source, medium, campaign
                       from accounts) as a on sessions.user_id = a.uid
        ), names as (
            select s.*, e.name, e.seq
            from s, unnest(
                (case when is_new then ['first_visit'] else [] end)
                || ['session_start']
                || list_transform(range(pageviews), lambda x: 'page_view')
                || (case when signup then ['sign_up'] else [] end)
                || (case when login then ['login'] else [] end)
                || (case when activation then ['activation'] else [] end)
                || ['user_engagement']
            ) with ordinality as e(name, seq)
        )
        select
            day,
            ts + seq * 7000000 as event_timestamp,
            user_pseudo_id,
            to_json({
                event_date: strftime(day, '%Y%m%d'),
                event_timestamp: ts + seq * 7000000,
                event_name: name,
                event_params: [
                    {key: 'ga_session_id', value: {string_value: null, int_value: session_id,
                      float_value: null, double_value: null}},
                    {key: 'page_location', value: {string_value: 'https://tally.example.com'
                      || case when login then '/app' else '/pricing' end,
                      int_value: null, float_value: null, double_value: null}},
                    {key: 'engagement_time_msec', value: {string_value: null,
                      int_value: (seq * 3100 + 400)::bigint, float_value: null,
                      double_value: null}}
                ],
                user_id: user_id,
                user_pseudo_id: user_pseudo_id,
                user_properties: case when account_id is null then []
                    else [{key: 'account_id', value: {string_value: account_id,
                           int_value: null, float_value: null, double_value: null,
                           set_timestamp_micros: ts}}] end,
                traffic_source: {name: coalesce(campaign, '(direct)'), medium: medium,
                                  source: source},
                collected_traffic_source: {manual_source: source, manual_medium: medium,
                                            manual_campaign_name: campaign, gclid: null},
                device: {category: case when mobile then 'mobile' else 'desktop' end},
                geo: {country: 'United States'},
                platform: 'WEB'
            }) as line
        from names
        """
    )
    events_dir = out / "ga4" / "events"
    events_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    days = [row[0] for row in con.execute("select day from days order by day").fetchall()]
    for day in days:
        rows = con.execute(
            "select count(*), string_agg(line, chr(10) order by event_timestamp, user_pseudo_id, "
            "line) from events where day = ?",
            [day],
        ).fetchone()
        count, text = rows
        if not count:
            continue
        total += count
        payload = gzip.compress((text + "\n").encode(), compresslevel=3, mtime=0)
        (events_dir / f"{day.isoformat()}.jsonl.gz").write_bytes(payload)
    con.close()
    return total


def _accounts_frame(accounts: list[Account], end: date) -> pd.DataFrame:
    rows = []
    for a in accounts:
        source, medium = CHANNELS[a.channel][1]
        last_end = max(
            (v.state.ended_at for s in a.subscriptions for v in s.versions if v.state.ended_at),
            default=None,
        )
        still_active = any(
            v.state.ended_at is None for s in a.subscriptions for v in s.versions[-1:]
        )
        until = end if still_active or last_end is None else min(last_end.date(), end)
        rows.append(
            {
                "number": a.number,
                "signup_day": a.signup_at.date(),
                "signup_day_epoch": int(a.signup_at.timestamp()) // 86400 * 86400,
                "signup_us": int(a.signup_at.timestamp() * 1_000_000),
                "channel_roll": 0.999,
                "user_id": f"u_{a.number}_0",
                "ga4_account_id": a.account_id if a.ga4_has_id else None,
                "source": source,
                "medium": medium,
                "campaign": None if medium in ("organic", "(none)", "referral") else a.channel,
                "users": max(1, min(a.seats, 4)),
                "active_until": until,
                "activates": a.converted or (a.number % 3 == 0),
            }
        )
    return pd.DataFrame(rows)
