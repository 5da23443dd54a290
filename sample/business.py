"""The fictional company's business, simulated account by account.

This is the generator's model of the world, independent of any vendor's file format: accounts
arrive by channel with seasonality, trial, convert or lapse, change seats and plans, get coupons,
cancel at period end or fail to pay, and sometimes come back. The vendor writers turn this into
Stripe, HubSpot, Zendesk and GA4 records.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

DAY = timedelta(days=1)

# Acquisition channels: HubSpot hs_analytics_source, GA4 (source, medium), share, trial conversion.
CHANNELS = {
    "organic_search": ("ORGANIC_SEARCH", ("google", "organic"), 0.30, 0.55),
    "paid_search": ("PAID_SEARCH", ("google", "cpc"), 0.20, 0.50),
    "paid_social": ("PAID_SOCIAL", ("linkedin", "cpc"), 0.12, 0.40),
    "organic_social": ("SOCIAL_MEDIA", ("linkedin.com", "referral"), 0.08, 0.45),
    "email": ("EMAIL_MARKETING", ("newsletter", "email"), 0.08, 0.60),
    "referral": ("REFERRALS", ("partner.example.com", "referral"), 0.10, 0.70),
    "direct": ("DIRECT_TRAFFIC", ("(direct)", "(none)"), 0.12, 0.55),
}

# Seat price per month in USD major units.
PLANS = {"starter": 15, "growth": 35, "scale": 80}
PLAN_ORDER = ["starter", "growth", "scale"]

# (interval, interval_count, share, multiple of the monthly price)
BILLING = {
    "monthly": ("month", 1, 0.62, 1.0),
    "annual": ("year", 1, 0.20, 10.0),
    "semiannual": ("month", 6, 0.10, 5.5),
    "weekly": ("week", 1, 0.08, 12 / 52),
}

# currency -> (share of accounts, price multiple vs USD, minor units per major unit, country)
CURRENCIES = {
    "usd": (0.58, 1.0, 100, "US"),
    "eur": (0.20, 0.92, 100, "DE"),
    "gbp": (0.10, 0.80, 100, "GB"),
    "jpy": (0.12, 150.0, 1, "JP"),
}
VAT = {"eur": 0.19, "gbp": 0.20}

COUPONS = {
    "WELCOME20": {
        "percent_off": 20.0,
        "amount_off": None,
        "currency": None,
        "duration": "repeating",
        "duration_in_months": 3,
    },
    "PARTNER10": {
        "percent_off": None,
        "amount_off": 1000,
        "currency": "usd",
        "duration": "forever",
        "duration_in_months": None,
    },
    "LOYAL15": {
        "percent_off": 15.0,
        "amount_off": None,
        "currency": None,
        "duration": "forever",
        "duration_in_months": None,
    },
}

FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com")
_WORDS_A = (
    "acme",
    "blue",
    "bright",
    "cloud",
    "delta",
    "ember",
    "fable",
    "granite",
    "harbor",
    "iris",
    "juniper",
    "kite",
    "lumen",
    "maple",
    "nimbus",
    "orbit",
    "pixel",
    "quartz",
    "river",
    "summit",
    "tidal",
    "umber",
    "vertex",
    "willow",
    "xenon",
    "yonder",
    "zephyr",
)
_WORDS_B = (
    "labs",
    "works",
    "systems",
    "analytics",
    "logistics",
    "health",
    "studio",
    "foods",
    "robotics",
    "media",
    "capital",
    "energy",
    "learning",
    "legal",
    "retail",
    "bio",
)
_TLDS = ("com", "io", "co", "de", "co.uk", "jp", "net")


@dataclass
class SubState:
    """A subscription as Stripe would show it at one moment (one landed version)."""

    status: str
    items: list[tuple[str, str, int]]  # (item id, price id, quantity)
    plan: str
    billing: str
    current_period_start: datetime
    current_period_end: datetime
    trial_start: datetime | None = None
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False
    cancel_at: datetime | None = None
    canceled_at: datetime | None = None
    ended_at: datetime | None = None
    coupon: str | None = None
    discount_start: datetime | None = None
    discount_end: datetime | None = None


@dataclass
class SubVersion:
    at: datetime  # when the change happened (the vendor's update time)
    landed: date  # the file it was landed in (later than `at` for a late export)
    state: SubState


@dataclass
class Invoice:
    id: str
    sub_id: str
    created: datetime
    period_start: datetime
    period_end: datetime
    currency: str
    lines: list[dict]
    subtotal: int
    discount: int
    tax: int
    billing_reason: str
    status: str  # final status
    paid_at: datetime | None
    status_changed_at: datetime | None = None  # when it left `open`
    charge_id: str | None = None
    refund: tuple[str, int, datetime] | None = None  # (refund id, amount, created)

    @property
    def total(self) -> int:
        return self.subtotal - self.discount + self.tax


@dataclass
class Subscription:
    id: str
    created: datetime
    versions: list[SubVersion] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)


@dataclass
class Account:
    number: int
    account_id: str
    name: str
    domain: str
    billing_email: str
    currency: str
    country: str
    channel: str
    signup_at: datetime
    seats: int
    # Which systems carry the shared account id (the rest must be matched by email domain).
    stripe_has_id: bool
    hubspot_has_id: bool
    zendesk_has_id: bool
    ga4_has_id: bool
    customer_id: str
    subscriptions: list[Subscription] = field(default_factory=list)
    converted: bool = False

    def paying_intervals(self) -> list[tuple[datetime, datetime]]:
        """Periods with a paid subscription (trial excluded), for product usage and tickets."""
        spans = []
        for sub in self.subscriptions:
            start = next((v.at for v in sub.versions if v.state.status == "active"), None)
            if start is None:
                continue
            end = next((v.state.ended_at for v in sub.versions if v.state.ended_at), None)
            spans.append((start, end or datetime.max.replace(tzinfo=UTC)))
        return spans


def add_period(start: datetime, billing: str) -> datetime:
    interval, count, _, _ = BILLING[billing]
    if interval == "week":
        return start + timedelta(weeks=count)
    months = 12 * count if interval == "year" else count
    return add_months(start, months)


def add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    days_in_month = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return moment.replace(year=year, month=month, day=min(moment.day, days_in_month[month - 1]))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def price_id(plan: str, billing: str, currency: str) -> str:
    return f"price_{plan}_{billing}_{currency}"


def unit_amount(plan: str, billing: str, currency: str) -> int:
    _, multiple, minor, _ = CURRENCIES[currency]
    major = PLANS[plan] * BILLING[billing][3] * multiple
    return int(round(major * minor))


def metered_price_id(currency: str) -> str:
    return f"price_api_calls_{currency}"


class Simulation:
    """Runs the company from `start` to `end`; everything random comes from one seeded RNG."""

    def __init__(self, start: date, end: date, scale: float, seed: int):
        self.start, self.end, self.scale = start, end, scale
        self.rng = random.Random(seed)
        self.seed = seed
        self.end_at = datetime.combine(end, datetime.max.time(), tzinfo=UTC)
        self.accounts: list[Account] = []
        self._counter = 0

    def _id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}_{self.seed:x}{self._counter:07d}"

    def run(self) -> list[Account]:
        day, number = self.start, 0
        total_days = (self.end - self.start).days + 1
        while day <= self.end:
            progress = (day - self.start).days / max(total_days, 1)
            # ~2,000 paying customers at scale 1: growth over time, a summer dip, a January peak.
            season = 1 + 0.25 * math.cos(2 * math.pi * (day.month - 1) / 12)
            weekday = 0.55 if day.weekday() >= 5 else 1.1
            rate = 5.6 * self.scale * (0.6 + 0.8 * progress) * season * weekday
            for _ in range(self._poisson(rate)):
                number += 1
                self.accounts.append(self._new_account(number, day))
            day += DAY
        return self.accounts

    def _poisson(self, lam: float) -> int:
        # Knuth for small rates, normal approximation for large ones.
        if lam > 30:
            return max(0, int(round(self.rng.gauss(lam, math.sqrt(lam)))))
        threshold, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= threshold:
                return k
            k += 1

    def _pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _new_account(self, number: int, day: date) -> Account:
        rng = self.rng
        name = f"{rng.choice(_WORDS_A).title()} {rng.choice(_WORDS_B).title()} {number}"
        slug = name.lower().replace(" ", "")
        domain = f"{slug}.{rng.choice(_TLDS)}"
        free_mail = rng.random() < 0.12
        email_domain = rng.choice(FREE_MAIL) if free_mail else domain
        currency = self._pick({c: v[0] for c, v in CURRENCIES.items()})
        channel = self._pick({c: v[2] for c, v in CHANNELS.items()})
        seconds = rng.randint(7 * 3600, 21 * 3600)
        signup_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
            seconds=seconds
        )
        seats = max(1, min(200, int(rng.lognormvariate(1.3, 0.9))))
        account = Account(
            number=number,
            account_id=f"acct_{number:06d}",
            name=name,
            domain=domain,
            billing_email=f"billing{number}@{email_domain}",
            currency=currency,
            country=CURRENCIES[currency][3],
            channel=channel,
            signup_at=signup_at,
            seats=seats,
            stripe_has_id=rng.random() < 0.85,
            hubspot_has_id=rng.random() < 0.80,
            zendesk_has_id=rng.random() < 0.75,
            ga4_has_id=rng.random() < 0.90,
            customer_id=self._id("cus"),
        )
        self._subscribe(account, signup_at, trial=True)
        return account

    def _subscribe(self, account: Account, at: datetime, trial: bool) -> None:
        rng = self.rng
        plan = self._pick({"starter": 0.5, "growth": 0.35, "scale": 0.15})
        billing = self._pick({b: v[2] for b, v in BILLING.items()})
        if account.currency == "jpy" and billing == "weekly":
            billing = "monthly"
        items = [(self._id("si"), price_id(plan, billing, account.currency), account.seats)]
        if rng.random() < 0.2:
            items.append((self._id("si"), metered_price_id(account.currency), 1))
        coupon = None
        roll = rng.random()
        if roll < 0.15:
            coupon = "WELCOME20"
        elif roll < 0.20 and account.currency == "usd" and billing == "monthly":
            coupon = "PARTNER10"
        sub = Subscription(self._id("sub"), at)
        account.subscriptions.append(sub)
        if trial:
            trial_end = at + timedelta(days=14)
            state = SubState(
                "trialing", items, plan, billing, at, trial_end, trial_start=at, trial_end=trial_end
            )
            self._version(sub, at, state)
            converts = rng.random() < CHANNELS[account.channel][3]
            if trial_end > self.end_at:
                return
            if not converts:
                self._version(
                    sub,
                    trial_end,
                    _replace(state, status="canceled", canceled_at=trial_end, ended_at=trial_end),
                )
                return
            account.converted = True
            start = trial_end
            state = _replace(
                state,
                status="active",
                current_period_start=start,
                current_period_end=add_period(start, billing),
            )
        else:
            start = at
            state = SubState("active", items, plan, billing, at, add_period(at, billing))
        if coupon:
            end = add_months(start, 3) if COUPONS[coupon]["duration"] == "repeating" else None
            state = _replace(state, coupon=coupon, discount_start=start, discount_end=end)
        self._version(sub, start, state)
        self._live(account, sub, state)

    def _version(
        self, sub: Subscription, at: datetime, state: SubState, landed: date | None = None
    ) -> None:
        sub.versions.append(SubVersion(at, landed or at.date(), state))

    def _live(self, account: Account, sub: Subscription, state: SubState) -> None:
        """Walk billing periods until the subscription ends or the simulation does."""
        rng = self.rng
        first = True
        while state.current_period_start <= self.end_at:
            period_start, period_end = state.current_period_start, state.current_period_end
            months = max((period_end - period_start).days / 30.4, 0.25)
            paid = self._invoice(
                account, sub, state, "subscription_create" if first else "subscription_cycle"
            )
            first = False
            if not paid:
                state = self._dunning(account, sub, state)
                if state.status == "canceled":
                    self._maybe_reactivate(account, state.ended_at)
                    return
            # Changes during the period, each at its own moment.
            moment = period_start + (period_end - period_start) * rng.uniform(0.2, 0.8)
            if moment > self.end_at:
                return
            roll = rng.random()
            if roll < 1 - (1 - 0.045) ** months:
                state = self._change_seats(sub, state, moment, up=True)
            elif roll < 1 - (1 - 0.065) ** months:
                state = self._change_seats(sub, state, moment, up=False)
            elif roll < 1 - (1 - 0.092) ** months:
                # Voluntary cancellation, effective at period end.
                state = _replace(
                    state, cancel_at_period_end=True, cancel_at=period_end, canceled_at=moment
                )
                self._version(sub, moment, state)
                if period_end > self.end_at:
                    return
                ended = _replace(state, status="canceled", ended_at=period_end)
                late = rng.random() < 0.08
                landed = (period_end + timedelta(days=rng.randint(2, 6))).date() if late else None
                if landed and landed > self.end:
                    landed = None
                self._version(sub, period_end, ended, landed)
                self._maybe_reactivate(account, period_end)
                return
            if state.coupon and state.discount_end and state.discount_end <= period_end:
                # A repeating coupon has run out: the renewal version carries no discount.
                state = _replace(state, coupon=None, discount_start=None, discount_end=None)
            state = _replace(
                state,
                current_period_start=period_end,
                current_period_end=add_period(period_end, state.billing),
            )
            if state.current_period_start <= self.end_at:
                self._version(sub, state.current_period_start, state)

    def _change_seats(self, sub: Subscription, state: SubState, at: datetime, up: bool) -> SubState:
        rng = self.rng
        (item_id, price, qty), *rest = state.items
        plan = state.plan
        if up and rng.random() < 0.3 and plan != "scale":
            plan = PLAN_ORDER[PLAN_ORDER.index(plan) + 1]
            price = price_id(plan, state.billing, price.rsplit("_", 1)[1])
        elif up:
            qty = qty + max(1, int(qty * rng.uniform(0.1, 0.6)))
        else:
            qty = max(1, qty - max(1, int(qty * rng.uniform(0.1, 0.4))))
        state = _replace(state, items=[(item_id, price, qty), *rest], plan=plan)
        self._version(sub, at, state)
        return state

    def _dunning(self, account: Account, sub: Subscription, state: SubState) -> SubState:
        """Payment failed at renewal: past_due, then recovery or unpaid and cancellation."""
        at = state.current_period_start
        state = _replace(state, status="past_due")
        self._version(sub, at, state)
        invoice = sub.invoices[-1]
        if self.rng.random() < 0.55:
            recovered = at + timedelta(days=self.rng.randint(2, 9), hours=3)
            invoice.status, invoice.paid_at, invoice.status_changed_at = (
                "paid",
                recovered,
                recovered,
            )
            invoice.charge_id = self._id("ch")
            state = _replace(state, status="active")
            self._version(sub, recovered, state)
            return state
        unpaid_at = at + timedelta(days=14)
        state = _replace(state, status="unpaid")
        self._version(sub, unpaid_at, state)
        ended = at + timedelta(days=30)
        invoice.status, invoice.status_changed_at = "uncollectible", ended
        state = _replace(state, status="canceled", canceled_at=ended, ended_at=ended)
        self._version(sub, ended, state)
        return state

    def _maybe_reactivate(self, account: Account, ended_at: datetime | None) -> None:
        if ended_at is None or self.rng.random() > 0.18:
            return
        back = ended_at + timedelta(days=self.rng.randint(45, 240))
        if back <= self.end_at:
            self._subscribe(account, back, trial=False)

    def _invoice(self, account: Account, sub: Subscription, state: SubState, reason: str) -> bool:
        """Issue the period's invoice; False when its payment fails."""
        rng = self.rng
        currency = account.currency
        lines, subtotal = [], 0
        for item_id, price, qty in state.items:
            if price.startswith("price_api_calls"):
                calls = rng.randint(1_000, 80_000)
                amount = int(calls * (0.02 if currency != "jpy" else 0.03))
                lines.append({"item": item_id, "price": price, "quantity": calls, "amount": amount})
            else:
                amount = unit_amount(state.plan, state.billing, currency) * qty
                lines.append({"item": item_id, "price": price, "quantity": qty, "amount": amount})
            subtotal += amount
        discount = 0
        if state.coupon:
            coupon = COUPONS[state.coupon]
            if coupon["percent_off"]:
                discount = int(round(subtotal * coupon["percent_off"] / 100))
            elif coupon["currency"] == currency:
                discount = min(subtotal, coupon["amount_off"])
        tax = int(round((subtotal - discount) * VAT.get(currency, 0.0)))
        failed = rng.random() < 0.035 and reason == "subscription_cycle"
        created = state.current_period_start
        invoice = Invoice(
            id=self._id("in"),
            sub_id=sub.id,
            created=created,
            period_start=state.current_period_start,
            period_end=state.current_period_end,
            currency=currency,
            lines=lines,
            subtotal=subtotal,
            discount=discount,
            tax=tax,
            billing_reason=reason,
            status="open" if failed else "paid",
            paid_at=None if failed else created + timedelta(hours=1),
            charge_id=None if failed else self._id("ch"),
        )
        if not failed and rng.random() < 0.03:
            amount = invoice.total if rng.random() < 0.5 else invoice.total // 2
            invoice.refund = (self._id("re"), amount, created + timedelta(days=rng.randint(1, 20)))
        sub.invoices.append(invoice)
        return not failed


def _replace(state: SubState, **changes) -> SubState:
    values = {**state.__dict__, **changes}
    values["items"] = list(values["items"])
    return SubState(**values)
