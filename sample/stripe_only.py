"""A Stripe-only landing zone of N customers, fast enough for benchmarks (`tally generate
--stripe-only`).

The company is simulated set-based with numpy (one vectorised step per billing period for all
subscriptions at once), and its records are rendered by DuckDB in the layouts of
`sample/stripe_records.py`: the embedded prices and coupons, the catalog (products, prices,
coupons) and the API-version days (`BASIL`, `CLOVER`) come from there, and
tests/sample/test_stripe_only.py checks record by record that a rendered subscription, invoice
or customer equals what the builders of `stripe_records` make of the same state.

What lands (LANDING.md): `stripe/{customers,products,prices,coupons,subscriptions,invoices}/
YYYY-MM-DD.jsonl` and `finance/fx_rates.csv` (USD, EUR, GBP, JPY: multi-currency). History starts a
year before `start`: customers and subscriptions that exist on `start` land that day as a backfill
export (their latest version), so the first month already has a customer base. Subscriptions
trial, convert or lapse, renew (a version per renewal), upgrade, add or remove seats, get
coupons, cancel at period end (8% of the ends landed 2-6 days late), fail to pay (past_due, then
recovered or unpaid and canceled), and some customers come back (reactivation). ~3% of Stripe
customers are a second Stripe customer of an account (same `metadata.account_id`, or only the
same company email domain), and ~10% use a free-mail address.

Default window: 2025-01-01..2025-04-30 (the bench's: three months in the pre-2025-03-31 layout,
one in basil), ~4.3 KB of JSON per customer: ~43 MB for 10k customers, ~430 MB for 100k, written in
~1.5 s per 10k customers on one idle core. Deterministic: the same arguments write byte-identical
files.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sample.business import (
    BILLING,
    COUPONS,
    CURRENCIES,
    PLAN_ORDER,
    VAT,
    metered_price_id,
    price_id,
    unit_amount,
)
from sample.finance_files import _FX_START
from sample.stripe_records import BASIL, CLOVER, _coupon, _price, catalog_records

DEFAULT_START = date(2025, 1, 1)
DEFAULT_END = date(2025, 4, 30)
DAY_S = 86_400
HISTORY_DAYS = 365  # simulated before `start`; what exists on `start` lands that day
TRIAL_DAYS = 14

STATUSES = ["trialing", "active", "past_due", "unpaid", "canceled"]
TRIALING, ACTIVE, PAST_DUE, UNPAID, CANCELED = range(5)
BILLINGS = list(BILLING)  # monthly, annual, semiannual, weekly
CURRENCY_CODES = list(CURRENCIES)
COUPON_CODES = [None, "WELCOME20", "PARTNER10"]
NONE_TS = np.int64(-1)  # "no timestamp" in the simulation arrays (rendered as JSON null)

# Monthly odds of a change, as in sample/business.py.
P_UP, P_DOWN, P_CANCEL = 0.045, 0.065, 0.092
P_CONVERT, P_FAIL, P_RECOVER, P_COME_BACK, P_LATE_END = 0.55, 0.035, 0.55, 0.3, 0.08


@dataclass(frozen=True)
class StripeOnlySummary:
    customers: int
    accounts: int
    subscriptions: int
    records: dict[str, int] = field(default_factory=dict)  # "stripe/<object>" -> lines
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0


def generate_stripe_only(
    out: Path,
    customers: int,
    seed: int = 42,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
) -> StripeOnlySummary:
    """Write a Stripe-only landing zone of `customers` Stripe customers to `out` (replacing the
    `stripe/` and `finance/` folders there)."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if customers < 1:
        raise ValueError("customers must be at least 1")
    started = time.monotonic()
    out = Path(out)
    for source in ("stripe", "finance"):
        shutil.rmtree(out / source, ignore_errors=True)
    sim = _Simulation(customers, seed, start, end)
    sim.run()
    counts = _write_stripe(out, sim)
    _write_fx(out, start, end, np.random.default_rng([seed, 2]))
    written = [p for d in ("stripe", "finance") for p in (out / d).rglob("*") if p.is_file()]
    return StripeOnlySummary(
        customers=customers,
        accounts=int(np.unique(sim.cust["account"]).size),
        subscriptions=sim.n_subs,
        records=dict(sorted(counts.items())),
        files=len(written),
        bytes=sum(p.stat().st_size for p in written),
        seconds=time.monotonic() - started,
    )


# ---------------------------------------------------------------------------------------------
# Simulation (numpy, set-based)


def _epoch(day: date) -> int:
    return int(datetime.combine(day, datetime.min.time(), tzinfo=UTC).timestamp())


def add_months(ts: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Epoch seconds plus whole months, the day clamped to the target month's length."""
    dt = ts.astype("datetime64[s]")
    day = dt.astype("datetime64[D]")
    month = dt.astype("datetime64[M]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)
    time_of_day = (dt - day.astype("datetime64[s]")).astype(np.int64)
    target = month + months.astype(np.int64)
    days_in = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    target_day = target.astype("datetime64[D]") + np.minimum(day_of_month, days_in - 1)
    return target_day.astype("datetime64[s]").astype(np.int64) + time_of_day


_MONTHS_PER_PERIOD = np.array(
    [12 * c if i == "year" else c if i == "month" else 0 for i, c, _, _ in BILLING.values()]
)
_WEEKS_PER_PERIOD = np.array([c if i == "week" else 0 for i, c, _, _ in BILLING.values()])


def add_period(ts: np.ndarray, billing: np.ndarray) -> np.ndarray:
    weeks = _WEEKS_PER_PERIOD[billing]
    by_month = add_months(ts, _MONTHS_PER_PERIOD[billing])
    return np.where(weeks > 0, ts + weeks * 7 * DAY_S, by_month)


class _Simulation:
    """Customers, subscription versions and invoices as columns of numpy arrays."""

    def __init__(self, customers: int, seed: int, start: date, end: date):
        self.n = customers
        self.seed = seed
        self.start, self.end = start, end
        self.rng = np.random.default_rng([seed, 1])
        self.begin_ts = _epoch(start - timedelta(days=HISTORY_DAYS))
        self.start_ts = _epoch(start)
        self.end_at = _epoch(end + timedelta(days=1)) - 1
        self.versions: dict[str, list[np.ndarray]] = defaultdict(list)
        self.invoices: dict[str, list[np.ndarray]] = defaultdict(list)
        self.n_subs = 0
        self._seq = 0

    # customers and accounts ------------------------------------------------------------------

    def _customers(self) -> None:
        rng, n = self.rng, self.n
        span = self.end_at - self.begin_ts
        # More sign-ups as the company grows (density rising over the two years).
        signup = np.sort(self.begin_ts + (span * rng.random(n) ** 0.8).astype(np.int64))
        currency = rng.choice(
            len(CURRENCY_CODES), n, p=_normalised([v[0] for v in CURRENCIES.values()])
        )
        # ~3% are another Stripe customer of an earlier account.
        second = rng.random(n) < 0.03
        second[0] = False
        earlier = (rng.random(n) * np.arange(n)).astype(np.int64)
        account = np.arange(n)
        account[second] = earlier[second]
        account = account[account]  # an earlier customer's account is its own account
        free_mail = rng.random(n) < 0.10
        self.cust = {
            "signup": signup,
            "currency": currency,
            "account": account,
            "has_account_id": rng.random(n) < 0.85,
            "free_mail": free_mail,
            "mail_provider": rng.integers(0, 4, n),
            "seats": np.clip(rng.lognormal(1.3, 0.9, n).astype(np.int64), 1, 200),
            "tld": rng.integers(0, 5, n),
        }

    # subscription versions --------------------------------------------------------------------

    def _new_subs(self, cust: np.ndarray, created: np.ndarray) -> dict[str, np.ndarray]:
        rng, k = self.rng, cust.size
        ids = np.arange(self.n_subs, self.n_subs + k)
        self.n_subs += k
        billing = rng.choice(len(BILLINGS), k, p=_normalised([v[2] for v in BILLING.values()]))
        currency = self.cust["currency"][cust]
        jpy = CURRENCY_CODES.index("jpy")
        billing = np.where(
            (currency == jpy) & (billing == BILLINGS.index("weekly")),
            BILLINGS.index("monthly"),
            billing,
        )
        roll = rng.random(k)
        coupon = np.where(roll < 0.15, 1, 0)
        partner_ok = (currency == CURRENCY_CODES.index("usd")) & (
            billing == BILLINGS.index("monthly")
        )
        coupon = np.where((roll >= 0.15) & (roll < 0.20) & partner_ok, 2, coupon)
        none = np.full(k, NONE_TS)
        return {
            "sub": ids,
            "cust": cust,
            "created": created,
            "plan": rng.choice(3, k, p=[0.5, 0.35, 0.15]),
            "billing": billing,
            "qty": self.cust["seats"][cust].copy(),
            "metered": rng.random(k) < 0.2,
            "coupon": np.zeros(k, dtype=np.int64),
            "disc_start": none.copy(),
            "disc_end": none.copy(),
            "status": np.full(k, ACTIVE),
            "cps": created.copy(),
            "cpe": add_period(created, billing),
            "trial_start": none.copy(),
            "trial_end": none.copy(),
            "cape": np.zeros(k, dtype=bool),
            "cancel_at": none.copy(),
            "canceled_at": none.copy(),
            "ended_at": none.copy(),
            "_coupon_on_start": coupon,
        }

    def _emit(self, state: dict[str, np.ndarray], at: np.ndarray, landed: np.ndarray | None = None):
        if at.size == 0:
            return
        for key, values in state.items():
            if not key.startswith("_"):
                self.versions[key].append(values.copy())
        self.versions["at"].append(at.copy())
        self.versions["landed"].append(at // DAY_S if landed is None else landed.copy())
        self.versions["seq"].append(np.arange(self._seq, self._seq + at.size))
        self._seq += at.size

    @staticmethod
    def _take(state: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
        return {k: v[mask] for k, v in state.items()}

    def _start_discount(self, state: dict[str, np.ndarray], at: np.ndarray) -> None:
        coupon = state["_coupon_on_start"]
        state["coupon"] = coupon.copy()
        has = coupon > 0
        state["disc_start"] = np.where(has, at, NONE_TS)
        # WELCOME20 repeats 3 months, PARTNER10 is forever.
        state["disc_end"] = np.where(coupon == 1, add_months(at, np.full(at.size, 3)), NONE_TS)

    def run(self) -> None:
        self._customers()
        cust = np.arange(self.n)
        subs = self._new_subs(cust, self.cust["signup"])
        # Trial: every first subscription starts trialing for 14 days.
        trial_end = subs["created"] + TRIAL_DAYS * DAY_S
        subs.update(
            status=np.full(cust.size, TRIALING),
            trial_start=subs["created"].copy(),
            trial_end=trial_end,
            cpe=trial_end.copy(),
        )
        self._emit(subs, subs["created"])
        ended_in_window = trial_end <= self.end_at
        converts = self.rng.random(cust.size) < P_CONVERT
        lapsed = self._take(subs, ended_in_window & ~converts)
        lapsed.update(
            status=np.full(lapsed["sub"].size, CANCELED),
            canceled_at=lapsed["trial_end"].copy(),
            ended_at=lapsed["trial_end"].copy(),
        )
        self._emit(lapsed, lapsed["trial_end"])
        paying = self._take(subs, ended_in_window & converts)
        at = paying["trial_end"]
        paying.update(
            status=np.full(at.size, ACTIVE), cps=at.copy(), cpe=add_period(at, paying["billing"])
        )
        self._start_discount(paying, at)
        self._emit(paying, at)
        batch = paying
        while batch["sub"].size:
            comebacks = self._live(batch)
            if comebacks["cust"].size == 0:
                break
            batch = self._new_subs(comebacks["cust"], comebacks["at"])
            self._start_discount(batch, batch["created"])
            self._emit(batch, batch["created"])
        self._collapse_history()

    def _live(self, state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Walk billing periods of a batch of active subscriptions, all at once, until each ends
        or passes the simulation's end. Returns the customers that come back, and when."""
        rng = self.rng
        back_cust: list[np.ndarray] = []
        back_at: list[np.ndarray] = []
        first = True
        while state["sub"].size:
            state = self._take(state, state["cps"] <= self.end_at)
            k = state["sub"].size
            if k == 0:
                break
            # The period's invoice; a renewal payment can fail.
            failed = (rng.random(k) < P_FAIL) & (not first)
            recovered = rng.random(k) < P_RECOVER
            recovered_at = state["cps"] + rng.integers(2, 10, k) * DAY_S + 3 * 3600
            dunning_end = state["cps"] + 30 * DAY_S
            self._invoice(state, failed, recovered, recovered_at, dunning_end, first)
            first = False
            if failed.any():
                due = self._take(state, failed)
                due["status"] = np.full(due["sub"].size, PAST_DUE)
                self._emit(due, due["cps"])
                rec = recovered[failed]
                back = self._take(due, rec)
                back["status"] = np.full(back["sub"].size, ACTIVE)
                self._emit(back, recovered_at[failed][rec])
                lost = self._take(due, ~rec)
                lost["status"] = np.full(lost["sub"].size, UNPAID)
                self._emit(lost, lost["cps"] + 14 * DAY_S)
                ended = dunning_end[failed][~rec]
                lost.update(status=np.full(ended.size, CANCELED), canceled_at=ended, ended_at=ended)
                self._emit(lost, ended)
                self._come_back(lost["cust"], ended, back_cust, back_at)
                state = self._take(state, ~failed | recovered)
                k = state["sub"].size
            # One change during the period, at its own moment.
            cps, cpe = state["cps"], state["cpe"]
            moment = cps + ((cpe - cps) * rng.uniform(0.2, 0.8, k)).astype(np.int64)
            months = np.maximum((cpe - cps) / DAY_S / 30.4, 0.25)
            roll = rng.random(k)
            up = roll < 1 - (1 - P_UP) ** months
            down = ~up & (roll < 1 - (1 - P_DOWN) ** months)
            cancel = ~up & ~down & (roll < 1 - (1 - P_CANCEL) ** months)
            in_sim = moment <= self.end_at
            up, down, cancel = up & in_sim, down & in_sim, cancel & in_sim
            upgrade = up & (rng.random(k) < 0.3) & (state["plan"] < len(PLAN_ORDER) - 1)
            qty = state["qty"]
            more = np.maximum(1, (qty * rng.uniform(0.1, 0.6, k)).astype(np.int64))
            fewer = np.maximum(1, (qty * rng.uniform(0.1, 0.4, k)).astype(np.int64))
            state["plan"] = np.where(upgrade, state["plan"] + 1, state["plan"])
            state["qty"] = np.where(
                up & ~upgrade, qty + more, np.where(down, np.maximum(1, qty - fewer), qty)
            )
            changed = up | down
            self._emit(self._take(state, changed), moment[changed])
            if cancel.any():
                going = self._take(state, cancel)
                going.update(
                    cape=np.ones(going["sub"].size, dtype=bool),
                    cancel_at=going["cpe"].copy(),
                    canceled_at=moment[cancel],
                )
                self._emit(going, moment[cancel])
                ends = self._take(going, going["cpe"] <= self.end_at)
                at = ends["cpe"]
                ends.update(status=np.full(at.size, CANCELED), ended_at=at.copy())
                landed = at // DAY_S
                late = rng.random(at.size) < P_LATE_END
                late_day = landed + rng.integers(2, 7, at.size)
                late &= late_day <= self.end_at // DAY_S
                self._emit(ends, at, np.where(late, late_day, landed))
                self._come_back(ends["cust"], at, back_cust, back_at)
            stay = ~cancel & in_sim
            state = self._take(state, stay)
            # A repeating coupon that has run out is gone from the renewal version.
            expired = (state["disc_end"] != NONE_TS) & (state["disc_end"] <= state["cpe"])
            state["coupon"] = np.where(expired, 0, state["coupon"])
            state["disc_start"] = np.where(expired, NONE_TS, state["disc_start"])
            state["disc_end"] = np.where(expired, NONE_TS, state["disc_end"])
            state["cps"] = state["cpe"]
            state["cpe"] = add_period(state["cpe"], state["billing"])
            renewing = state["cps"] <= self.end_at
            self._emit(self._take(state, renewing), state["cps"][renewing])
        if not back_cust:
            return {"cust": np.zeros(0, dtype=np.int64), "at": np.zeros(0, dtype=np.int64)}
        cust, at = np.concatenate(back_cust), np.concatenate(back_at)
        order = np.lexsort((cust, at))
        return {"cust": cust[order], "at": at[order]}

    def _come_back(self, cust, ended, back_cust, back_at) -> None:
        rng = self.rng
        comes = rng.random(cust.size) < P_COME_BACK
        at = ended + rng.integers(14, 151, cust.size) * DAY_S
        comes &= at <= self.end_at
        back_cust.append(cust[comes])
        back_at.append(at[comes])

    def _invoice(self, state, failed, recovered, recovered_at, dunning_end, first) -> None:
        rng, k = self.rng, state["sub"].size
        currency = self.cust["currency"][state["cust"]]
        unit = _UNIT_AMOUNT[state["plan"], state["billing"], currency]
        licensed = unit * state["qty"]
        calls = rng.integers(1_000, 80_001, k)
        jpy = currency == CURRENCY_CODES.index("jpy")
        metered = np.where(state["metered"], np.where(jpy, calls * 3 // 100, calls * 2 // 100), 0)
        subtotal = licensed + metered
        coupon = state["coupon"]
        percent = np.where(coupon == 1, COUPONS["WELCOME20"]["percent_off"], 0.0)
        amount_off = np.where(
            (coupon == 2) & (currency == CURRENCY_CODES.index("usd")),
            np.minimum(subtotal, COUPONS["PARTNER10"]["amount_off"]),
            0,
        )
        discount = np.rint(subtotal * percent / 100).astype(np.int64) + amount_off
        vat = np.array([VAT.get(c, 0.0) for c in CURRENCY_CODES])[currency]
        tax = np.rint((subtotal - discount) * vat).astype(np.int64)
        status = np.where(failed, np.where(recovered, 1, 2), 0)  # paid, paid late, uncollectible
        changed_at = np.where(failed, np.where(recovered, recovered_at, dunning_end), NONE_TS)
        columns = {
            "sub": state["sub"],
            "cust": state["cust"],
            "created": state["cps"],
            "period_end": state["cpe"],
            "plan": state["plan"],
            "billing": state["billing"],
            "qty": state["qty"],
            "metered": state["metered"],
            "calls": calls,
            "licensed_amount": licensed,
            "metered_amount": metered,
            "subtotal": subtotal,
            "discount": discount,
            "tax": tax,
            "final_status": status,
            "changed_at": changed_at,
            "first": np.full(k, first),
        }
        for key, values in columns.items():
            self.invoices[key].append(values)

    def _collapse_history(self) -> None:
        """Concatenate, and turn what happened before `start` into a backfill export landed on
        `start`: each subscription's latest version, the invoices still settling."""
        v = {k: np.concatenate(parts) for k, parts in self.versions.items()}
        start_day = self.start_ts // DAY_S
        before = v["landed"] < start_day
        # the last version landed before `start`, per subscription
        order = np.lexsort((v["seq"], v["at"], v["sub"]))
        idx = order[before[order]]
        s = v["sub"][idx]
        latest_before = np.zeros(before.size, dtype=bool)
        latest_before[idx[np.r_[s[1:] != s[:-1], True]]] = True
        # what happens after `end` is not landed yet
        keep = (~before | latest_before) & (v["landed"] <= self.end_at // DAY_S)
        v = {k: a[keep] for k, a in v.items()}
        v["landed"] = np.maximum(v["landed"], start_day)
        order = np.lexsort((v["seq"], v["at"], v["landed"]))
        self.v = {k: a[order] for k, a in v.items()}

        inv = {k: np.concatenate(parts) for k, parts in self.invoices.items()}
        inv["id"] = np.arange(inv["sub"].size)
        self.inv = inv
        self.start_day = start_day


def _normalised(weights: list[float]) -> np.ndarray:
    w = np.array(weights, dtype=float)
    return w / w.sum()


_UNIT_AMOUNT = np.array(
    [
        [[unit_amount(plan, billing, cur) for cur in CURRENCY_CODES] for billing in BILLINGS]
        for plan in PLAN_ORDER
    ],
    dtype=np.int64,
)


# ---------------------------------------------------------------------------------------------
# Rendering (DuckDB) and writing


def _ts(expr: str) -> str:
    return f"case when {expr} = -1 then null else {expr} end"


def _prefix(seed: int) -> str:
    return f"{seed:x}"


def _lookup_tables(con: duckdb.DuckDBPyConnection) -> None:
    prices = []
    for p, plan in enumerate(PLAN_ORDER):
        for b, billing in enumerate(BILLINGS):
            for c, currency in enumerate(CURRENCY_CODES):
                pid = price_id(plan, billing, currency)
                prices.append((p, b, c, pid, json.dumps(_price(pid, currency))))
    con.execute(
        "create table price_ids (plan int, billing int, cur int, price_id varchar, price json)"
    )
    con.executemany("insert into price_ids values (?, ?, ?, ?, ?)", prices)
    metered = [
        (c, metered_price_id(cur), json.dumps(_price(metered_price_id(cur), cur)))
        for c, cur in enumerate(CURRENCY_CODES)
    ]
    con.execute("create table metered_ids (cur int, price_id varchar, price json)")
    con.executemany("insert into metered_ids values (?, ?, ?)", metered)
    coupons = [(i, c, json.dumps(_coupon(c))) for i, c in enumerate(COUPON_CODES) if c]
    con.execute("create table coupon_ids (coupon_no int, coupon_id varchar, coupon json)")
    con.executemany("insert into coupon_ids values (?, ?, ?)", coupons)
    con.execute("create table currencies (cur int, code varchar, country varchar)")
    con.executemany(
        "insert into currencies values (?, ?, ?)",
        [(i, c, CURRENCIES[c][3]) for i, c in enumerate(CURRENCY_CODES)],
    )
    con.execute("create table statuses (status int, name varchar)")
    con.executemany("insert into statuses values (?, ?)", list(enumerate(STATUSES)))


_WORDS = ("acme", "blue", "bright", "cloud", "delta", "ember", "fable", "granite", "harbor")
_TLDS = ("com", "io", "co", "de", "net")
_FREE = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com")


def _customers_sql(p: str, start_day: int) -> str:
    words = "[" + ", ".join(f"'{w}'" for w in _WORDS) + "]"
    titles = "[" + ", ".join(f"'{w.title()} Labs'" for w in _WORDS) + "]"
    tlds = "[" + ", ".join(f"'{t}'" for t in _TLDS) + "]"
    free = "[" + ", ".join(f"'{f}'" for f in _FREE) + "]"
    return f"""
    select
        greatest(c.signup // 86400, {start_day}) as day,
        c.signup as at_ts,
        c.i as seq,
        json_object(
            'id', printf('cus_{p}%07d', c.i),
            'object', 'customer',
            'created', c.signup,
            'email', printf('billing%d@', c.i) || case
                when c.free_mail then {free}[c.mail_provider + 1]
                else printf('%s%d.', {words}[c.account % {len(_WORDS)} + 1], c.account)
                    || {tlds}[a.tld + 1]
            end,
            'name', printf('%s %d', {titles}[c.account % {len(_WORDS)} + 1], c.account),
            'currency', cur.code,
            'address', json_object('country', cur.country),
            'metadata', case when c.has_account_id
                then json_object('account_id', printf('acct_%06d', c.account))
                else json_object() end,
            'delinquent', false,
            'livemode', false
        ) as line
    from cust as c
    join cust as a on a.i = c.account
    join currencies as cur on cur.cur = c.currency
    """


def _subscriptions_sql(p: str) -> str:
    basil, clover = _epoch(BASIL) // DAY_S, _epoch(CLOVER) // DAY_S
    item_base = f"""
        'id', printf('si_{p}%07d', v.sub),
        'object', 'subscription_item',
        'price', pr.price,
        'subscription', printf('sub_{p}%07d', v.sub),
        'quantity', v.qty"""
    meter_base = f"""
        'id', printf('si_{p}%07dm', v.sub),
        'object', 'subscription_item',
        'price', mp.price,
        'subscription', printf('sub_{p}%07d', v.sub)"""
    periods = "'current_period_start', v.cps, 'current_period_end', v.cpe"
    discount = f"""
        'id', printf('di_{p}%07d', v.sub),
        'object', 'discount',
        'subscription', printf('sub_{p}%07d', v.sub),
        'customer', printf('cus_{p}%07d', v.cust),
        'start', {_ts("v.disc_start")},
        'end', {_ts("v.disc_end")}"""
    return f"""
    select
        v.landed as day,
        v.at_ts,
        v.seq,
        json_object(
            'id', printf('sub_{p}%07d', v.sub),
            'object', 'subscription',
            'customer', printf('cus_{p}%07d', v.cust),
            'status', st.name,
            'created', v.created,
            'start_date', v.created,
            'billing_cycle_anchor', v.created,
            'currency', cur.code,
            'trial_start', {_ts("v.trial_start")},
            'trial_end', {_ts("v.trial_end")},
            'cancel_at_period_end', v.cape,
            'cancel_at', {_ts("v.cancel_at")},
            'canceled_at', {_ts("v.canceled_at")},
            'ended_at', {_ts("v.ended_at")},
            'items', json_object('object', 'list', 'data', case
                when v.landed >= {basil} then
                    case when v.metered
                        then [json_object({item_base}, {periods}),
                              json_object({meter_base}, {periods})]
                        else [json_object({item_base}, {periods})] end
                else
                    case when v.metered
                        then [json_object({item_base}), json_object({meter_base})]
                        else [json_object({item_base})] end
                end),
            'metadata', json_object(),
            'livemode', false
        ) as core,
        case
            when v.landed >= {clover} then json_object('discounts', case when v.coupon = 0
                then []::json[]
                else [json_object({discount},
                    'source', json_object('type', 'coupon', 'coupon', cp.coupon_id))] end)
            when v.landed >= {basil} then json_object('discounts', case when v.coupon = 0
                then []::json[]
                else [json_object({discount}, 'coupon', cp.coupon)] end)
            else json_object(
                'current_period_start', v.cps,
                'current_period_end', v.cpe,
                'discount', case when v.coupon = 0 then null
                    else json_object({discount}, 'coupon', cp.coupon) end,
                'discounts', case when v.coupon = 0 then []::varchar[]
                    else [printf('di_{p}%07d', v.sub)] end)
        end as tail
    from v
    join cust as c on c.i = v.cust
    join currencies as cur on cur.cur = c.currency
    join statuses as st on st.status = v.status
    join price_ids as pr on pr.plan = v.plan and pr.billing = v.billing and pr.cur = c.currency
    join metered_ids as mp on mp.cur = c.currency
    left join coupon_ids as cp on cp.coupon_no = v.coupon
    """


def _invoices_sql(p: str, start_day: int, end_day: int) -> str:
    basil = _epoch(BASIL) // DAY_S
    inv_id = f"printf('in_{p}%08d', i.id)"
    sub_id = f"printf('sub_{p}%07d', i.sub)"
    line_base = f"""
        'id', printf('il_{p}%08d_%d', i.id, n),
        'object', 'line_item',
        'amount', case when n = 0 then i.licensed_amount else i.metered_amount end,
        'currency', i.currency,
        'quantity', case when n = 0 then i.qty else i.calls end,
        'period', json_object('start', i.created, 'end', i.period_end)"""
    # One version at creation and, for a failed payment, one when it settles.
    return f"""
    with versions as (
        select i.*, i.created as as_of, i.final_status = 0 as settled from inv as i
        union all
        select i.*, i.changed_at as as_of, true as settled from inv as i where i.changed_at <> -1
    ),
    shaped as (
        select
            i.*,
            i.as_of // 86400 as day,
            case when not i.settled then 'open' when i.final_status = 2 then 'uncollectible'
                else 'paid' end as status,
            case when not i.settled or i.final_status = 2 then null
                when i.final_status = 1 then i.changed_at else i.created + 3600 end as paid_at,
            i.subtotal - i.discount + i.tax as total,
            c.currency as cur_i,
            cur.code as currency
        from versions as i
        join cust as c on c.i = i.cust
        join currencies as cur on cur.cur = c.currency
    ),
    lines as (
        select
            i.id, i.as_of,
            list(case when i.day >= {basil} then json_object({line_base},
                'pricing', json_object('type', 'price_details', 'price_details', json_object(
                    'price', case when n = 0 then pr.price_id else mp.price_id end,
                    'product', null)),
                'parent', json_object('type', 'subscription_item_details',
                    'subscription_item_details', json_object(
                        'subscription', {sub_id},
                        'subscription_item', case when n = 0 then printf('si_{p}%07d', i.sub)
                            else printf('si_{p}%07dm', i.sub) end)))
            else json_object({line_base},
                'price', case when n = 0 then pr.price else mp.price end,
                'subscription', {sub_id},
                'type', 'subscription') end order by n) as data
        from shaped as i
        cross join (select unnest([0, 1]) as n) as k
        join price_ids as pr on pr.plan = i.plan and pr.billing = i.billing and pr.cur = i.cur_i
        join metered_ids as mp on mp.cur = i.cur_i
        where n = 0 or i.metered
        group by i.id, i.as_of
    )
    select
        i.day,
        i.as_of as at_ts,
        i.id * 2 + (i.as_of <> i.created)::int as seq,
        json_object(
            'id', {inv_id},
            'object', 'invoice',
            'customer', printf('cus_{p}%07d', i.cust),
            'status', i.status,
            'billing_reason', case when i."first" then 'subscription_create'
                else 'subscription_cycle' end,
            'currency', i.currency,
            'created', i.created,
            'period_start', i.created,
            'period_end', i.period_end,
            'subtotal', i.subtotal,
            'total_discount_amounts', case when i.discount = 0 then []::json[]
                else [json_object('amount', i.discount)] end,
            'total', i.total,
            'amount_due', i.total,
            'amount_paid', case when i.status = 'paid' then i.total else 0 end,
            'status_transitions', json_object(
                'finalized_at', i.created + 3300,
                'paid_at', i.paid_at,
                'voided_at', null,
                'marked_uncollectible_at', case when i.status = 'uncollectible'
                    then i.changed_at end),
            'lines', json_object('object', 'list', 'data', l.data),
            'livemode', false
        ) as core,
        case when i.day >= {basil} then json_object(
            'subscription', null,
            'parent', json_object(
                'type', 'subscription_details',
                'quote_details', null,
                'subscription_details', json_object('subscription', {sub_id},
                    'metadata', json_object())),
            'total_taxes', case when i.tax = 0 then []::json[] else [json_object(
                'amount', i.tax, 'tax_behavior', 'exclusive',
                'taxability_reason', 'standard_rated')] end)
        else json_object(
            'subscription', {sub_id},
            'tax', case when i.tax = 0 then null else i.tax end,
            'paid', i.status = 'paid',
            'charge', case when i.status = 'paid' then printf('ch_{p}%08d', i.id) end)
        end as tail
    from shaped as i
    join lines as l using (id, as_of)
    where i.day between {start_day} and {end_day}
    """


def _merged(sql: str) -> str:
    """Lines of a query with `core` and `tail` JSON objects: tail's members appended to core's
    (text concatenation: both are non-empty objects rendered by DuckDB without whitespace)."""
    return (
        "select day, left(core::varchar, length(core::varchar) - 1) || ',' "
        f"|| substr(tail::varchar, 2) as line from ({sql}) order by day, at_ts, seq"
    )


def _write_stripe(out: Path, sim: _Simulation) -> dict[str, int]:
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = true")
    _lookup_tables(con)
    cust = pd.DataFrame({"i": np.arange(sim.n), **sim.cust})
    v = pd.DataFrame(sim.v).rename(columns={"at": "at_ts"})
    inv = pd.DataFrame(sim.inv)
    con.register("cust_df", cust)
    con.register("v_df", v)
    con.register("inv_df", inv)
    con.execute("create table cust as select * from cust_df")
    con.execute("create table v as select * from v_df")
    con.execute("create table inv as select * from inv_df")
    p = _prefix(sim.seed)
    counts: dict[str, int] = {}
    catalog: dict[str, list[str]] = defaultdict(list)
    for obj, _, record in catalog_records(sim.start):
        catalog[obj].append(json.dumps(record, separators=(",", ":")))
    for obj, lines in catalog.items():
        folder = out / "stripe" / obj
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{sim.start.isoformat()}.jsonl").write_text("\n".join(lines) + "\n")
        counts[f"stripe/{obj}"] = len(lines)
    queries = {
        "customers": f"select day, line from ({_customers_sql(p, sim.start_day)}) "
        "order by day, at_ts, seq",
        "subscriptions": _merged(_subscriptions_sql(p)),
        "invoices": _merged(_invoices_sql(p, sim.start_day, sim.end_at // DAY_S)),
    }
    for obj, sql in queries.items():
        table = con.sql(sql).to_arrow_table()
        days = table.column("day").to_numpy()
        lines = table.column("line").to_pylist()
        _write_days(out / "stripe" / obj, days, lines)
        counts[f"stripe/{obj}"] = len(lines)
    con.close()
    return counts


def _write_days(folder: Path, days: np.ndarray, lines: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if not lines:
        return
    cuts = np.flatnonzero(np.diff(days)) + 1
    bounds = np.r_[0, cuts, len(lines)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        day = date(1970, 1, 1) + timedelta(days=int(days[a]))
        (folder / f"{day.isoformat()}.jsonl").write_text("\n".join(lines[a:b]) + "\n")


def _write_fx(out: Path, start: date, end: date, rng: np.random.Generator) -> None:
    """Daily rates to USD over the simulated history (an invoice of the backfill can settle in
    the window) to a week after `end` (an invoice of the last day is finalized the next), a
    small random walk as in sample/finance_files.py."""
    folder = out / "finance"
    folder.mkdir(parents=True, exist_ok=True)
    start = start - timedelta(days=HISTORY_DAYS)
    n_days = (end - start).days + 8
    currencies = list(_FX_START)
    steps = 1 + rng.normal(0, 0.003, (n_days, len(currencies)))
    rates = np.array([_FX_START[c] for c in currencies]) * np.cumprod(steps, axis=0)
    rows = ["date,currency,rate_to_reporting"]
    for d in range(n_days):
        day = (start + timedelta(days=d)).isoformat()
        rows += [f"{day},{c},{rates[d, j]:.8f}" for j, c in enumerate(currencies)]
    (folder / "fx_rates.csv").write_text("\n".join(rows) + "\n")


__all__ = ["generate_stripe_only", "StripeOnlySummary", "DEFAULT_START", "DEFAULT_END"]
