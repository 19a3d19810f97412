"""Webhooks for center systems: register an endpoint, list it, remove it, see and replay deliveries."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import CurrentActor, DbSession, SettingsDep
from api.schemas import Id
from api.schemas.webhooks import (
    DeliveryOut,
    ReplayedOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
)
from courier.settings import Settings
from courier.webhooks import service as webhooks
from courier.webhooks.models import DeliveryStatus, WebhookSubscription

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
_MINE: dict[int | str, dict[str, Any]] = {
    403: {"description": "not a center's staff, system or admin"}
}
_FOUND: dict[int | str, dict[str, Any]] = {
    **_MINE,
    404: {"description": "no such webhook of the caller's center"},
}


def _out(subscription: WebhookSubscription, site_code: str, settings: Settings) -> WebhookOut:
    fields = {
        "id": subscription.id,
        "site_code": site_code,
        "url": subscription.url,
        "active": subscription.active,
        "created_at": subscription.created_at,
    }
    return WebhookOut.model_validate(fields, context=_zone(settings))


def _zone(settings: Settings) -> dict[str, Any]:
    """Times in the service's zone, as the other answers give them."""
    return {"zone": settings.zone}


@router.post("", status_code=201, response_model=WebhookCreatedOut, responses=_MINE)
def register(
    body: WebhookIn, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> WebhookCreatedOut:
    """Register an endpoint for the center's dossiers' status changes; the secret shows once."""
    made = webhooks.register(
        session, actor, url=body.url, site_code=body.site_code, settings=settings
    )
    out = _out(made.subscription, made.site_code, settings)
    return WebhookCreatedOut(**out.model_dump(), secret=made.secret)


@router.get("", response_model=list[WebhookOut], responses=_MINE)
def listed(session: DbSession, settings: SettingsDep, actor: CurrentActor) -> list[WebhookOut]:
    """The active subscriptions of the caller's center (admins: every center)."""
    return [_out(s, code, settings) for s, code in webhooks.subscriptions(session, actor)]


@router.delete("/{subscription_id}", status_code=204, responses=_FOUND)
def remove(subscription_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    """Stop sending to this endpoint; its deliveries stay listed."""
    webhooks.remove(session, actor, subscription_id)
    return Response(status_code=204)


@router.get("/{subscription_id}/deliveries", response_model=list[DeliveryOut], responses=_FOUND)
def deliveries(
    subscription_id: Id,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    status: DeliveryStatus | None = None,
    before_id: Id | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """The endpoint's deliveries, newest first; `status=failed` lists the undeliverable ones."""
    found = webhooks.deliveries(
        session, actor, subscription_id, status=status, before_id=before_id, limit=limit
    )
    return [DeliveryOut.model_validate(d, context=_zone(settings)) for d in found]


@router.post("/{subscription_id}/deliveries/replay", response_model=ReplayedOut, responses=_FOUND)
def replay_failed(subscription_id: Id, session: DbSession, actor: CurrentActor) -> ReplayedOut:
    """Send every failed delivery of the endpoint again, oldest first."""
    return ReplayedOut(replayed=webhooks.replay_failed(session, actor, subscription_id))


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    response_model=DeliveryOut,
    responses={**_FOUND, 409: {"description": "delivered already"}},
)
def replay(
    subscription_id: Id,
    delivery_id: Id,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
) -> DeliveryOut:
    """Send one failed delivery again now, its tries counted afresh."""
    found = webhooks.replay(session, actor, subscription_id, delivery_id)
    return DeliveryOut.model_validate(found, context=_zone(settings))
