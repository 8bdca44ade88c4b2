"""Subscriptions to warnings, breaches and closed periods, and their deliveries — a caller's
own (an admin's: everyone's); dead letters can be sent again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from accord.service.audit import Actor, Via
from accord.service.deps import EngineDep, NowDep, ReaderDep, SettingsDep
from accord.service.notify import (
    Channel,
    Delivery,
    DeliveryStatus,
    EventKind,
    Subscription,
    create_subscription,
    delete_subscription,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    retry_delivery,
    update_subscription,
)
from accord.service.notify.trial import send_test_event
from accord.service.schemas import DB_INT_MAX, ErrorOut

router = APIRouter(prefix="/api/subscriptions", tags=["subscriptions"],
                   responses={400: {"model": ErrorOut}})
_Id = Annotated[int, Path(ge=0, le=DB_INT_MAX)]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel = Channel.WEBHOOK
    target: str = Field(description="The webhook's http(s) URL, or the email address.",
                        min_length=3, max_length=2000)
    secret: str | None = Field(None, min_length=1, max_length=500, description=(
        "The webhook's signing secret; default: a new random one, returned once."))
    party: str | None = Field(None, description=(
        "Only the agreements where this party is the customer (customers and suppliers: "
        "their own party, which is the default)."))
    events: list[EventKind] | None = Field(None, description="Default: every event.")
    agreements: list[str] | None = Field(None, description="Default: every agreement.")
    thresholds: list[float] | None = Field(None, description=(
        "Shares of a target that warn; default: the service's (0.75 and 0.9)."))
    owner: str | None = Field(None, description="Admins: the user it belongs to.")


class SubscriptionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str | None = Field(None, min_length=3, max_length=2000)
    events: list[EventKind] | None = None
    thresholds: list[float] | None = Field(None, min_length=1, max_length=10)
    active: bool | None = None


class TestEventOut(BaseModel):
    delivery: int = Field(description="The queued notification's id (see /deliveries).")


class SubscriptionOut(BaseModel):
    id: int
    owner: str | None
    party: str | None
    channel: Channel
    target: str
    signed: bool
    events: list[EventKind]
    agreements: list[str] | None
    thresholds: list[float]
    active: bool
    created_at: datetime
    created_by: str


class NewSubscriptionOut(BaseModel):
    subscription: SubscriptionOut
    secret: str | None = Field(description="The webhook secret: in this answer only.")


class AttemptOut(BaseModel):
    number: int
    at: datetime
    outcome: str
    status_code: int | None
    error: str | None
    duration_ms: float


class DeliveryOut(BaseModel):
    id: int
    subscription: int
    event: EventKind
    event_key: str
    delivery_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    body: dict[str, Any] = Field(description="The exact JSON that is sent.")
    history: list[AttemptOut]


class DeliveryPageOut(BaseModel):
    total: int
    offset: int
    limit: int
    deliveries: list[DeliveryOut]


def _subscription(subscription: Subscription) -> SubscriptionOut:
    return SubscriptionOut.model_validate(subscription.document())


def _delivery(delivery: Delivery) -> DeliveryOut:
    return DeliveryOut.model_validate(delivery.document())


@router.get("", response_model=list[SubscriptionOut])
def subscriptions(principal: ReaderDep, engine: EngineDep) -> list[SubscriptionOut]:
    """The caller's subscriptions (an admin's: everyone's)."""
    return [_subscription(s) for s in list_subscriptions(engine, principal)]


@router.post("", response_model=NewSubscriptionOut, status_code=201)
def subscribe(body: SubscriptionIn, principal: ReaderDep, engine: EngineDep,
              settings: SettingsDep, now: NowDep) -> NewSubscriptionOut:
    """A new subscription of the caller's; a customer's or supplier's is for its own party."""
    made = create_subscription(
        engine, principal, channel=body.channel, target=body.target, now=now,
        secret=body.secret, party=body.party,
        events=None if body.events is None else [e.value for e in body.events],
        agreements=body.agreements,
        thresholds=body.thresholds if body.thresholds is not None else settings.thresholds,
        owner=body.owner, by=Actor(principal, now, Via.API))
    return NewSubscriptionOut(subscription=_subscription(made.subscription), secret=made.secret)


@router.get("/deliveries", response_model=DeliveryPageOut)
def deliveries(principal: ReaderDep, engine: EngineDep,
               subscription: Annotated[int | None, Query(ge=0, le=DB_INT_MAX)] = None,
               status: DeliveryStatus | None = None,
               offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> DeliveryPageOut:
    """The notifications of the caller's subscriptions, newest first, with every attempt;
    ``status=dead`` lists the dead letters."""
    total, found = list_deliveries(engine, principal, subscription_id=subscription,
                                   status=status, offset=offset, limit=limit)
    return DeliveryPageOut(total=total, offset=offset, limit=limit,
                           deliveries=[_delivery(d) for d in found])


@router.post("/deliveries/{delivery}/retry", response_model=DeliveryOut)
def retry(delivery: _Id, principal: ReaderDep, engine: EngineDep, now: NowDep) -> DeliveryOut:
    """Send a dead letter again at the worker's next pass (same delivery id and body)."""
    return _delivery(retry_delivery(engine, principal, delivery, now=now))


@router.get("/{subscription}", response_model=SubscriptionOut)
def subscription(subscription: _Id, principal: ReaderDep, engine: EngineDep
                 ) -> SubscriptionOut:
    return _subscription(get_subscription(engine, principal, subscription))


@router.delete("/{subscription}", status_code=204, response_class=Response)
def unsubscribe(subscription: _Id, principal: ReaderDep, engine: EngineDep,
                now: NowDep) -> Response:
    """Remove a subscription with its notifications and their delivery history."""
    delete_subscription(engine, principal, subscription, by=Actor(principal, now, Via.API))
    return Response(status_code=204)


@router.patch("/{subscription}", response_model=SubscriptionOut)
def change(subscription: _Id, body: SubscriptionPatch, principal: ReaderDep, engine: EngineDep,
           now: NowDep) -> SubscriptionOut:
    """Change a subscription's target, events, warning thresholds, or pause it."""
    return _subscription(update_subscription(
        engine, principal, subscription, target=body.target,
        events=None if body.events is None else [e.value for e in body.events],
        thresholds=body.thresholds, active=body.active, by=Actor(principal, now, Via.API)))


@router.post("/{subscription}/test", response_model=TestEventOut, status_code=202)
def test_event(subscription: _Id, principal: ReaderDep, engine: EngineDep,
               now: NowDep) -> TestEventOut:
    """Queue a ``sla.test`` event for the subscription: the worker sends it within seconds,
    and its delivery is listed with the others."""
    return TestEventOut(delivery=send_test_event(engine, principal, subscription, now=now,
                                                 by=Actor(principal, now, Via.API)))
