#!/usr/bin/env bash
# What the docker isolation mode needs, all local: a Docker engine of crack's own
# (scripts/docker-engine.sh) and the base image (scripts/docker-base-image.sh, cached in the
# engine's data root after the first build). `make test` runs this; when it cannot work here
# (not root, no apt), it says why and the docker tests skip with that reason.
set -euo pipefail
cd "$(dirname "$0")"
DOCKER_HOST="$(bash docker-engine.sh)"
export DOCKER_HOST
bash docker-base-image.sh >/dev/null
echo "docker isolation ready: DOCKER_HOST=$DOCKER_HOST"
