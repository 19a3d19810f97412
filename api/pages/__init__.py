"""The web pages, one router per screen (citizen pages first; the courier and staff apps follow)."""

from fastapi import APIRouter

from api.pages import home, track

ROUTERS: tuple[APIRouter, ...] = (home.router, track.router)
