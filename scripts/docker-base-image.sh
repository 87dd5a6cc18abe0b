#!/usr/bin/env bash
# Builds crack's base image without any registry: debootstrap a minimal Debian 12 with
# python3, trim it, `docker import` it. Skipped when the image already exists (it is cached
# in the engine's data root). Needs root, debootstrap and a reachable Debian mirror.
#   scripts/docker-base-image.sh [IMAGE]      (default crack-base:bookworm)
set -euo pipefail

image="${1:-${CRACK_DOCKER_BASE:-crack-base:bookworm}}"
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image (cached)"
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >/dev/null
}
# The mirror this machine's apt already uses (no other network is assumed).
mirror="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
  | grep -v security | head -1 | awk '{print $2}' || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
rootfs="$(mktemp -d /var/tmp/crack-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=python3,ca-certificates bookworm "$rootfs" "$mirror" >/dev/null
rm -rf "$rootfs"/usr/share/{doc,man,locale} "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/*
mkdir -p "$rootfs"/usr/share/man/man1  # packages (the JDK's) link their manual pages there
echo "deb $mirror bookworm main" >"$rootfs/etc/apt/sources.list"
tar -C "$rootfs" -c . | docker import - "$image" >/dev/null
echo "$image"
