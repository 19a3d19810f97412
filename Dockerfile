# One image for every role: api, worker, beat, migrate (see docker/entrypoint.sh).

# the browser libraries the pages serve, from npm through the committed lockfile (no CDN at run time)
FROM node:20-slim AS web
WORKDIR /web
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system courier && useradd --system --gid courier --home /app courier

WORKDIR /app

# dependencies first, so code changes do not reinstall them
COPY pyproject.toml README.md ./
RUN mkdir -p courier routing api \
    && touch courier/__init__.py routing/__init__.py api/__init__.py \
    && pip install . \
    && pip uninstall -y courier

COPY alembic.ini ./
COPY alembic ./alembic
COPY courier ./courier
COPY routing ./routing
COPY api ./api
COPY --from=web /web/node_modules /app/node_modules
COPY docker/entrypoint.sh /usr/local/bin/courier-entrypoint
RUN pip install --no-deps . \
    && chmod +x /usr/local/bin/courier-entrypoint \
    && mkdir -p /data/media /data/keys && chown -R courier:courier /data

USER courier
ENV COURIER_ENVIRONMENT=production \
    COURIER_MEDIA_DIR=/data/media \
    COURIER_SIGNING_KEY_FILE=/data/keys/signing-key.pem \
    COURIER_WEB_VENDOR_DIR=/app/node_modules

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)" || exit 1

ENTRYPOINT ["courier-entrypoint"]
CMD ["api"]
