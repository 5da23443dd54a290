"""HubSpot (CRM v3) and Zendesk (Support API) records for the simulated business."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sample.business import CHANNELS, Account

Record = tuple[str, date, dict]

_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
)


def iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _crm(object_id: str, created: datetime, updated: datetime, properties: dict) -> dict:
    return {
        "id": object_id,
        "properties": properties,
        "createdAt": iso(created),
        "updatedAt": iso(updated),
        "archived": False,
    }


def hubspot_records(account: Account, rng: random.Random, end: datetime) -> Iterator[Record]:
    """The company, its contacts walking the lifecycle, the deal, and NPS answers."""
    first_touch = account.signup_at - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 9))
    company_id = str(10_000_000 + account.number)
    company_props = {
        "name": account.name,
        "domain": account.domain,
        "createdate": iso(first_touch),
        "country": account.country,
        "hs_lastmodifieddate": iso(first_touch),
    }
    if account.hubspot_has_id:
        company_props["account_id"] = account.account_id
    yield "companies", first_touch.date(), _crm(company_id, first_touch, first_touch, company_props)

    source = CHANNELS[account.channel][0]
    converted_at = next(
        (v.at for s in account.subscriptions for v in s.versions if v.state.status == "active"),
        None,
    )
    for n in range(1 + (account.seats > 10) + (account.seats > 40)):
        contact_id = str(20_000_000 + account.number * 10 + n)
        created = first_touch + timedelta(days=n * rng.randint(0, 5))
        email = f"{'ops' if n else 'founder'}{account.number}@{account.domain}"
        # Stage dates: subscriber -> lead at sign-up -> MQL -> SQL -> opportunity -> customer.
        moments = [created, max(created, account.signup_at)]
        for gap in (2, 3, 4):
            moments.append(
                moments[-1] + timedelta(days=rng.randint(0, gap), hours=rng.randint(1, 8))
            )
        reached = 2 + sum(rng.random() < p for p in (0.8, 0.6, 0.7))
        reached = min(reached, 5)
        props = {
            "email": email,
            "firstname": "Sam" if n else "Alex",
            "createdate": iso(created),
            "hs_analytics_source": source,
            "associatedcompanyid": company_id,
        }
        stage_props: dict[str, str] = {}
        for stage, moment in list(zip(_STAGES, moments, strict=False))[:reached]:
            if moment > end:
                break
            stage_props[f"hs_lifecyclestage_{stage}_date"] = (
                str(int(moment.timestamp() * 1000)) if rng.random() < 0.3 else iso(moment)
            )
            yield (
                "contacts",
                moment.date(),
                _crm(
                    contact_id,
                    created,
                    moment,
                    {
                        **props,
                        **stage_props,
                        "lifecyclestage": stage,
                        "lastmodifieddate": iso(moment),
                    },
                ),
            )
        if converted_at and converted_at <= end:
            stage_props["hs_lifecyclestage_customer_date"] = iso(converted_at)
            yield (
                "contacts",
                converted_at.date(),
                _crm(
                    contact_id,
                    created,
                    converted_at,
                    {
                        **props,
                        **stage_props,
                        "lifecyclestage": "customer",
                        "lastmodifieddate": iso(converted_at),
                    },
                ),
            )

    deal_id = str(30_000_000 + account.number)
    deal_created = account.signup_at + timedelta(hours=2)
    trial_end = (
        account.subscriptions[0].versions[0].state.trial_end if account.subscriptions else None
    )
    deal = {
        "dealname": f"{account.name} - new business",
        "pipeline": "default",
        "createdate": iso(deal_created),
        "dealstage": "appointmentscheduled",
        "amount": str(account.seats * 100),
        "hs_is_closed": "false",
        "hs_is_closed_won": "false",
        "associatedcompanyid": company_id,
    }
    yield "deals", deal_created.date(), _crm(deal_id, deal_created, deal_created, deal)
    closed_at = converted_at or trial_end
    if closed_at and closed_at <= end:
        won = converted_at is not None
        yield (
            "deals",
            closed_at.date(),
            _crm(
                deal_id,
                deal_created,
                closed_at,
                {
                    **deal,
                    "dealstage": "closedwon" if won else "closedlost",
                    "closedate": iso(closed_at),
                    "hs_is_closed": "true",
                    "hs_is_closed_won": "true" if won else "false",
                },
            ),
        )

    if converted_at:
        survey_at = converted_at + timedelta(days=rng.randint(30, 90))
        while survey_at <= end:
            if rng.random() < 0.35:
                score = min(10, max(0, int(round(rng.gauss(7.6, 2.0)))))
                sub_id = str(40_000_000 + account.number * 100 + rng.randint(0, 99))
                yield (
                    "feedback_submissions",
                    survey_at.date(),
                    _crm(
                        sub_id,
                        survey_at,
                        survey_at,
                        {
                            "hs_survey_type": "NPS",
                            "hs_response_value": str(score),
                            "hs_submission_timestamp": iso(survey_at),
                            "hs_contact_id": str(20_000_000 + account.number * 10),
                            "hs_contact_email": f"founder{account.number}@{account.domain}",
                        },
                    ),
                )
            survey_at += timedelta(days=90)


def zendesk_records(account: Account, rng: random.Random, end: datetime) -> Iterator[Record]:
    """An organization per paying account; tickets that scale with seats; metrics; CSAT."""
    spans = account.paying_intervals()
    if not spans:
        return
    first = spans[0][0]
    org_id = 360_000_000 + account.number
    yield (
        "organizations",
        first.date(),
        {
            "id": org_id,
            "name": account.name,
            "created_at": _z(first),
            "updated_at": _z(first),
            "external_id": account.account_id if account.zendesk_has_id else None,
            "domain_names": [account.domain],
            "tags": [],
            "organization_fields": {},
        },
    )
    user_id = 370_000_000 + account.number
    yield (
        "users",
        first.date(),
        {
            "id": user_id,
            "email": f"founder{account.number}@{account.domain}",
            "name": f"Alex {account.number}",
            "organization_id": org_id,
            "role": "end-user",
            "active": True,
            "created_at": _z(first),
            "updated_at": _z(first),
        },
    )
    monthly_rate = 0.25 + 0.04 * account.seats
    ticket_id = 100_000 + account.number * 10_000
    for start, stop in spans:
        stop = min(stop, end)
        day = start
        while day < stop:
            if rng.random() < monthly_rate / 30:
                ticket_id += 1
                yield from _ticket(account, rng, day, org_id, user_id, end, ticket_id)
            day += timedelta(days=1)


def _ticket(
    account: Account,
    rng: random.Random,
    day: datetime,
    org_id: int,
    user_id: int,
    end: datetime,
    ticket_id: int,
) -> Iterator[Record]:
    created = day.replace(hour=rng.randint(6, 20), minute=rng.randint(0, 59))
    base = {
        "id": ticket_id,
        "subject": "Help needed",
        "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
        "type": rng.choice(["question", "incident", "problem", "task"]),
        "via": {"channel": rng.choice(["email", "web", "chat"])},
        "requester_id": user_id,
        "organization_id": org_id,
        "tags": [],
        "created_at": _z(created),
    }
    yield "tickets", created.date(), {**base, "status": "new", "updated_at": _z(created)}
    reply = max(1, int(rng.lognormvariate(4.0, 1.0)))
    resolution = reply + max(5, int(rng.lognormvariate(6.5, 1.2)))
    solved = created + timedelta(minutes=resolution)
    if solved > end:
        yield (
            "tickets",
            created.date(),
            {**base, "status": "open", "updated_at": _z(created + timedelta(minutes=reply))},
        )
        return
    yield "tickets", solved.date(), {**base, "status": "solved", "updated_at": _z(solved)}
    yield (
        "ticket_metrics",
        solved.date(),
        {
            "id": ticket_id + 900_000_000,
            "ticket_id": ticket_id,
            "created_at": _z(created),
            "updated_at": _z(solved),
            "solved_at": _z(solved),
            "replies": rng.randint(1, 4),
            "reopens": 0,
            "reply_time_in_minutes": {"calendar": reply, "business": reply},
            "first_resolution_time_in_minutes": {"calendar": resolution, "business": resolution},
            "full_resolution_time_in_minutes": {"calendar": resolution, "business": resolution},
        },
    )
    closed = solved + timedelta(days=4)
    if closed <= end:
        yield "tickets", closed.date(), {**base, "status": "closed", "updated_at": _z(closed)}
    if rng.random() < 0.4:
        rated = solved + timedelta(hours=rng.randint(1, 48))
        if rated <= end:
            yield (
                "satisfaction_ratings",
                rated.date(),
                {
                    "id": ticket_id + 800_000_000,
                    "ticket_id": ticket_id,
                    "requester_id": user_id,
                    "score": "good" if rng.random() < 0.86 else "bad",
                    "created_at": _z(rated),
                    "updated_at": _z(rated),
                },
            )


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
