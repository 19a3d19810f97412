"""Per-client rate limits for the public endpoints (moving window, `limits` library)."""

from fastapi import HTTPException, Request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class RateLimit:
    """A limit such as '30/minute' per client address, checked as a dependency."""

    def __init__(self, limit: str, storage_uri: str) -> None:
        self.item = parse(limit)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def __call__(self, request: Request) -> None:
        """Refuse with 429 once the client has used up its window."""
        client = request.client.host if request.client else "unknown"
        if not self.limiter.hit(self.item, "track", client):
            raise HTTPException(
                status_code=429,
                detail="Quá nhiều yêu cầu, vui lòng thử lại sau một phút / "
                "too many requests; try again in a minute",
                headers={"Retry-After": "60"},
            )


def public_limit(request: Request) -> None:
    """The app's limit for the public tracking endpoints."""
    limiter: RateLimit = request.app.state.track_limit
    limiter(request)
