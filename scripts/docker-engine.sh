#!/usr/bin/env bash
# Starts a Docker engine of crack's own (its own socket and data root, overlay2, no bridge:
# containers get loopback only) and prints the DOCKER_HOST to use. Safe to run again: an
# engine already answering on the socket is reused.
#   scripts/docker-engine.sh [STATE_DIR]      (default /var/lib/crack-docker)
# Installs docker.io from Debian packages first when dockerd is missing (needs root).
set -euo pipefail

state="${1:-${CRACK_DOCKER_STATE:-/var/lib/crack-docker}}"
socket="$state/docker.sock"
export DOCKER_HOST="unix://$socket"

answers() { curl -sf --unix-socket "$socket" http://localhost/_ping >/dev/null 2>&1; }

if answers; then
  echo "$DOCKER_HOST"
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "docker is not installed and this script cannot install it (needs root and apt-get)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker.io debootstrap curl >/dev/null
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "starting a Docker engine needs root" >&2
  exit 1
fi
mkdir -p "$state/data" "$state/exec"
nohup dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2 \
  --data-root "$state/data" --exec-root "$state/exec" --pidfile "$state/docker.pid" \
  -H "$DOCKER_HOST" >"$state/dockerd.log" 2>&1 &
for _ in $(seq 1 150); do
  if answers; then
    echo "$DOCKER_HOST"
    exit 0
  fi
  sleep 0.2
done
echo "dockerd did not answer on $socket within 30 s; its log:" >&2
tail -20 "$state/dockerd.log" >&2
exit 1
