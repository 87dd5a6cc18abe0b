#!/usr/bin/env bash
# Runs CI (`bash .ci/run`) the way it runs on a fresh machine, to prove the repository sets
# itself up with nothing but Debian 12 and Python: a clean clone of a commit (committed work
# only, nothing of this checkout's .venv or caches), in a container of crack's base image
# (debootstrap minbase + python3, scripts/docker-base-image.sh), as root, with no terminal.
#   scripts/ci-in-fresh-root.sh [REF]        (default HEAD)
# Environment:
#   CI_SHARED=DIR   a folder copied beside the clone as ../shared, as CI lays it out
#                   (default: ../shared next to this checkout, when it exists)
#   CI_NICE=N       run .ci/run at this niceness (default 0; use 10 on a shared machine)
#   CI_KEEP=1       keep the work folder (the clone, the log) afterwards; kept anyway on failure
#   CI_CMD=...      run this shell command in the clone instead of `bash .ci/run` (to look
#                   into one failure: e.g. install the system packages, then one test)
# Needs root and what scripts/docker-setup.sh needs (it starts crack's Docker engine).
#
# The container is privileged because the suite tests crack's containment: new namespaces,
# cgroups, mounts, and a Docker engine of its own (whose overlay2 data root cannot sit on the
# container's overlay root, hence a folder of the work dir mounted there). Where this machine
# is itself a container whose capability bounding set lacks some capabilities, runc refuses
# --privileged; the container then gets every capability this machine has, no seccomp or
# AppArmor filter, every device and the cgroup hierarchies writable. It uses the host's
# network because the engine has no bridge and apt and pip need their registries. When this
# machine reaches them through a TLS-intercepting proxy, that proxy's CA certificates
# (/usr/local/share/ca-certificates) and the variables pointing tools at the CA bundle are
# passed in: network set-up, not software the fresh root would otherwise lack.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
ref="${1:-HEAD}"
sha="$(git -C "$here" rev-parse --verify "$ref^{commit}")"
shared="${CI_SHARED:-$here/../shared}"
nice_level="${CI_NICE:-0}"
image="${CRACK_DOCKER_BASE:-crack-base:bookworm}"

DOCKER_HOST="$(bash "$here/scripts/docker-engine.sh")"
export DOCKER_HOST
bash "$here/scripts/docker-base-image.sh" "$image" >/dev/null

work="$(mktemp -d /var/tmp/crack-ci.XXXXXX)"
chmod 755 "$work"  # the suite runs programs as an unprivileged user from inside the clone
name="crack-ci-$(basename "$work" | tr -c 'a-zA-Z0-9\n' -)"
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  if [ "${CI_KEEP:-0}" = 1 ] || [ "${status:-1}" != 0 ]; then
    echo "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

git clone --quiet --no-local --no-checkout "$here" "$work/crack"
git -C "$work/crack" checkout --quiet --detach "$sha"
if [ -d "$shared" ]; then
  cp -a "$shared" "$work/shared"
else
  echo "no $shared: running without ../shared"
fi
mkdir -p "$work/docker"

ca_args=()
for cert in /usr/local/share/ca-certificates/*.crt; do
  [ -e "$cert" ] && ca_args+=(-v "$cert:/usr/local/share/ca-certificates/$(basename "$cert"):ro")
done
env_args=()
for var in PIP_CERT REQUESTS_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE NODE_EXTRA_CA_CERTS; do
  [ -n "${!var:-}" ] && env_args+=(-e "$var=${!var}")
done

privileged=(--privileged)
if ! docker run --rm --privileged --network none "$image" true >/dev/null 2>&1; then
  caps=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
    LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
    SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
    SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
    MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ)
  bounding=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
  privileged=(--cap-add ALL --security-opt seccomp=unconfined --security-opt apparmor=unconfined
    --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm'
    -v /sys/fs/cgroup:/sys/fs/cgroup)
  for bit in "${!caps[@]}"; do
    (( bounding >> bit & 1 )) || privileged+=(--cap-drop "${caps[$bit]}")
  done
fi

echo "CI of $sha in a fresh $image root ($work)"
start=$(date +%s)
set +e
docker run --name "$name" "${privileged[@]}" --network host \
  -v "$work:/ci" -v "$work/docker:/var/lib/crack-docker" "${ca_args[@]}" "${env_args[@]}" \
  -e CI_NICE="$nice_level" -e CI_CMD="${CI_CMD:-bash .ci/run}" -w /ci/crack "$image" \
  bash -c 'set -e
    if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then update-ca-certificates >/dev/null; fi
    exec nice -n "$CI_NICE" bash -c "$CI_CMD"' \
  </dev/null 2>&1 | tee "$work/ci.log"
status="${PIPESTATUS[0]}"
set -e
echo "CI in a fresh root: exit $status after $(( $(date +%s) - start )) s (log: $work/ci.log)"
exit "$status"
