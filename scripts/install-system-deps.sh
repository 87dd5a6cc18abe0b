#!/usr/bin/env bash
# Installs the system programs crack's tests grade against or need: the real systems the
# challenges' oracles run (redis-server, nginx, haproxy, BIND, etcd, beanstalkd, runc, aria2…),
# the libraries the C challenges compare against, dig, git and chromium.
# Safe to run again: installs only what is missing.
set -euo pipefail

missing=()
need() {  # need COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || missing+=("$2")
}
need make make  # the Makefile drives set-up and the tests; Debian's minimal install lacks it
need redis-server redis-server
need nginx nginx-light
need haproxy haproxy
need named bind9
need dig dnsutils
need git git
need sqlite3 sqlite3
need etcd etcd-server  # the raft challenge's oracle (3.4, a cluster on loopback)
need beanstalkd beanstalkd  # message-queue: the work-queue stages' oracle
need opentracker opentracker  # bittorrent: the tracker
need aria2c aria2  # bittorrent: a seeder, and a client that takes the download stages
need mktorrent mktorrent  # bittorrent: makes the torrents the tester serves
need runc runc  # container-runtime: the oracle, behind an adapter that writes a bundle
need crun crun  # container-runtime: a second oracle
[ -x /bin/busybox ] || missing+=(busybox-static)  # container-runtime: the root filesystem
[ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ] || missing+=(libjemalloc2)  # malloc: oracles
[ -e /usr/lib/x86_64-linux-gnu/libmimalloc.so.2 ] || missing+=(libmimalloc2.0)
[ -e /usr/include/boost/lockfree/queue.hpp ] || missing+=(libboost-dev)  # lock-free-queue: oracles
[ -e /usr/include/x86_64-linux-gnu/urcu.h ] || [ -e /usr/include/urcu.h ] || missing+=(liburcu-dev)
need chromium chromium  # the HTML report's browser test (Playwright drives Debian's build)
# The toolchains of the learner languages (learner_template/*/language.yaml): the tests
# build a Redis starter in each. Rust and Go use their standard library only (no registry).
need gcc gcc
[ -e /usr/include/stdio.h ] || missing+=(libc6-dev)  # gcc's C library headers (a recommend)
need g++ g++
need node nodejs
need npm npm  # mini-react: scripts/install-node-deps.sh installs its tester's packages
need javac default-jdk-headless
need go golang-go
need rustc rustc
need cargo cargo
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "crack needs: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
echo "Installing ${missing[*]}…"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# A package may start a system-wide server; the tests start their own on free ports.
if command -v service >/dev/null 2>&1; then
  for service in redis-server nginx haproxy named bind9 etcd beanstalkd opentracker; do service "$service" stop >/dev/null 2>&1 || true; done
fi
