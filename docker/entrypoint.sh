#!/bin/sh
# Roles of the one image: api | worker | beat | migrate | any other command.
set -eu
cd /app
role="${1:-api}"
case "$role" in
  api)
    exec courier serve --host 0.0.0.0 --port "${PORT:-8000}" --workers "${WEB_CONCURRENCY:-2}"
    ;;
  worker)
    exec celery -A courier.worker:celery_app worker --loglevel=INFO -Q "${COURIER_TASK_QUEUE:-courier}" \
      --concurrency "${WORKER_CONCURRENCY:-2}"
    ;;
  beat)
    exec celery -A courier.worker:celery_app beat --loglevel=INFO \
      --schedule /tmp/celerybeat-schedule
    ;;
  migrate)
    # the custody chain's signing key is made once, on the shared keys volume, never replaced
    [ -f "${COURIER_SIGNING_KEY_FILE:-/data/keys/signing-key.pem}" ] || courier keys signing-key
    exec courier db upgrade
    ;;
  *)
    exec "$@"
    ;;
esac
