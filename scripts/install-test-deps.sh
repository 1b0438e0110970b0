#!/usr/bin/env bash
# Installs the Debian packages the end-to-end suites need (see shared design TESTING.md).
#
# Idempotent: when every required command is already present it does nothing. Otherwise, as root
# on a machine with apt-get, it installs the missing packages; anywhere else it names what is
# missing and exits 1.
#
# To require another tool later (for example the browser for the UI suite), add a
# "command:package" entry to REQUIRED below, e.g. "chromium:chromium".
set -euo pipefail

REQUIRED=(
  "dockerd:docker.io"
  "docker:docker.io"
  "docker-registry:docker-registry"
  "skopeo:skopeo"
  "podman:podman"
  "busybox:busybox-static"
  "ctr:containerd"
  "chromium:chromium"
  "promtool:prometheus"
  # One throw-away PostgreSQL 15 and one Ceph RADOS Gateway (a real S3 server) per test run (test/services).
  "postgres-15:postgresql"
  "radosgw:radosgw"
  "ceph-mon:ceph-mon"
  "monmaptool:ceph-mon"
  "ceph-osd:ceph-osd"
  "ceph:ceph-common"
  "radosgw-admin:ceph-common"
  "openssl:openssl"
  # The load balancer in front of two Wharf replicas (test/e2e/replicas-haproxy.test.ts).
  "haproxy:haproxy"
  # Checks docker-compose.yml (apps/server/test/deployment/compose.test.ts: `docker-compose config`).
  "docker-compose:docker-compose"
)

# The busybox used for test images must be the static one at /bin/busybox: it is copied alone
# into an image root filesystem and run there.
have_static_busybox() {
  [ -x /bin/busybox ] || return 1
  if command -v ldd >/dev/null 2>&1; then
    # ldd exits non-zero ("not a dynamic executable") for a static binary.
    if ldd /bin/busybox >/dev/null 2>&1; then return 1; fi
  fi
  return 0
}

have_command() {
  case "$1" in
    busybox) have_static_busybox ;;
    # Debian keeps the server binaries off PATH.
    postgres-15) [ -x /usr/lib/postgresql/15/bin/initdb ] && [ -x /usr/lib/postgresql/15/bin/postgres ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing_commands=()
missing_packages=()
collect_missing() {
  missing_commands=()
  missing_packages=()
  local entry cmd pkg seen p
  for entry in "${REQUIRED[@]}"; do
    cmd="${entry%%:*}"
    pkg="${entry#*:}"
    if ! have_command "$cmd"; then
      missing_commands+=("$cmd")
      seen=0
      for p in "${missing_packages[@]+"${missing_packages[@]}"}"; do
        [ "$p" = "$pkg" ] && seen=1
      done
      [ "$seen" = 1 ] || missing_packages+=("$pkg")
    fi
  done
}

describe_missing() {
  local entry cmd pkg c
  for c in "${missing_commands[@]}"; do
    for entry in "${REQUIRED[@]}"; do
      cmd="${entry%%:*}"
      pkg="${entry#*:}"
      if [ "$cmd" = "$c" ]; then
        if [ "$cmd" = busybox ]; then
          echo "  - busybox (a static /bin/busybox; Debian package ${pkg})" >&2
        else
          echo "  - ${cmd} (Debian package ${pkg})" >&2
        fi
      fi
    done
  done
}

collect_missing
if [ "${#missing_commands[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: these commands are missing and can only be installed as root with apt-get:" >&2
  describe_missing
  echo "Install them with: apt-get install -y --no-install-recommends ${missing_packages[*]}" >&2
  exit 1
fi

# Install the whole set (apt-get skips what is already there) so the tools come from one release.
all_packages=()
for entry in "${REQUIRED[@]}"; do
  pkg="${entry#*:}"
  case " ${all_packages[*]+"${all_packages[*]}"} " in *" ${pkg} "*) ;; *) all_packages+=("$pkg") ;; esac
done
echo "install-test-deps: installing ${all_packages[*]} (missing: ${missing_commands[*]})" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# Daemons these packages ship must not be started by the package scripts: the tests start their own.
policy_rc_created=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  policy_rc_created=1
fi
status=0
apt-get install -y -qq --no-install-recommends "${all_packages[@]}" >/dev/null || status=$?
if [ "$policy_rc_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
if [ "$status" -ne 0 ]; then
  echo "install-test-deps: apt-get install failed (exit ${status})" >&2
  exit "$status"
fi

collect_missing
if [ "${#missing_commands[@]}" -ne 0 ]; then
  echo "install-test-deps: still missing after installing packages:" >&2
  describe_missing
  exit 1
fi
echo "install-test-deps: done" >&2
