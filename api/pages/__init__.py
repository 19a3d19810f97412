"""The web pages, one router per screen (citizen pages first; the courier and staff apps follow)."""

from fastapi import APIRouter

from api.pages import (
    account,
    batch_upload,
    booking,
    center,
    center_actions,
    center_report,
    confirmation,
    counter,
    courier_app,
    dispatch,
    dispatch_actions,
    home,
    privacy,
    track,
)

# the confirmation before tracking: its /track/{code}/booked must not fall to a /track/{code} route
ROUTERS: tuple[APIRouter, ...] = (
    home.router,
    booking.router,
    confirmation.router,
    track.router,
    account.router,
    batch_upload.router,
    privacy.router,
    courier_app.router,
    center_report.router,
    center.router,
    center_actions.router,
    counter.router,
    dispatch.router,
    dispatch_actions.router,
)
