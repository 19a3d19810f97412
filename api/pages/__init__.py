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
    my_data,
    privacy,
    track,
)

# the confirmation before tracking: its /track/{code}/booked must not fall to a /track/{code} route
ROUTERS: tuple[APIRouter, ...] = (
    home.router,
    booking.router,
    confirmation.router,
    track.router,
    my_data.track_router,
    account.router,
    my_data.account_router,
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
