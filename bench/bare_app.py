"""The bare FastAPI app the load bench compares the service with: one JSON endpoint, nothing else.

    .venv/bin/uvicorn bench.bare_app:app --host 127.0.0.1 --port 8001 --workers 2 --no-proxy-headers
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
async def bare() -> dict[str, str]:
    """A constant JSON body: the framework and the server, no thread pool, no database."""
    return {"status": "ok"}
