#!/usr/bin/env bash
# Provisions Wharf for Docker, containerd and podman clients through the REST API alone (curl):
#
#   docker-hub     proxy of Docker Hub (or $UPSTREAM), anonymous pulls allowed, no connector of its own
#   docker-hosted  hosted repository on its own port ($HOSTED_PORT, 8182): push here (login required)
#   docker-all     group [docker-hosted, docker-hub] on $GROUP_PORT (8181), writable member docker-hosted:
#                  the one endpoint clients pull from (registry-mirrors, hosts.toml, registries.conf)
#   anonymous access on (pulls of docker-hub through docker-all need no login; docker-hosted does)
#
# Idempotent: each repository is read first, then created (POST) or brought back to this
# configuration (PUT). Run it again after changing a variable.
#
# Environment (defaults in brackets):
#   WHARF_URL           [http://127.0.0.1:8081]  Wharf's main port
#   WHARF_USER          [admin]
#   WHARF_PASSWORD      [contents of $WHARF_DATA_DIR/admin.password, WHARF_DATA_DIR defaulting to ./data]
#   UPSTREAM            [https://registry-1.docker.io]  remote of the docker-hub proxy
#   INDEX_TYPE          [HUB]  dockerProxy.indexType of docker-hub (HUB, REGISTRY or CUSTOM)
#   DOCKERHUB_USERNAME, DOCKERHUB_PASSWORD   [unset]  upstream credentials (higher Docker Hub pull limits)
#   GROUP_PORT          [8181]  connector of docker-all
#   HOSTED_PORT         [8182]  connector of docker-hosted
#   HUB_PORT            [unset]  connector of docker-hub itself (optional)
#   ANONYMOUS           [true]   anonymous access switch
#   WAIT_SECONDS        [60]     how long to wait for Wharf to answer GET /service/rest/v1/status
set -euo pipefail

WHARF_URL="${WHARF_URL:-http://127.0.0.1:8081}"
WHARF_URL="${WHARF_URL%/}"
WHARF_USER="${WHARF_USER:-admin}"
if [ -z "${WHARF_PASSWORD:-}" ]; then
  password_file="${WHARF_DATA_DIR:-./data}/admin.password"
  if [ -r "$password_file" ]; then
    WHARF_PASSWORD="$(head -n 1 "$password_file")"
  else
    echo "provision.sh: set WHARF_PASSWORD (or WHARF_DATA_DIR, to read \$WHARF_DATA_DIR/admin.password)" >&2
    exit 2
  fi
fi
UPSTREAM="${UPSTREAM:-https://registry-1.docker.io}"
INDEX_TYPE="${INDEX_TYPE:-HUB}"
GROUP_PORT="${GROUP_PORT:-8181}"
HOSTED_PORT="${HOSTED_PORT:-8182}"
HUB_PORT="${HUB_PORT:-}"
ANONYMOUS="${ANONYMOUS:-true}"
WAIT_SECONDS="${WAIT_SECONDS:-60}"

for port_var in GROUP_PORT HOSTED_PORT HUB_PORT; do
  case "${!port_var}" in
    '' | *[!0-9]*) [ -z "${!port_var}" ] || { echo "provision.sh: $port_var must be a port number" >&2; exit 2; } ;;
  esac
done

API="$WHARF_URL/service/rest/v1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# JSON string literal of $1 (backslash, double quote and control characters escaped).
json_str() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '"%s"' "$s"
}

# A port number, or null when empty.
json_port() {
  if [ -z "$1" ]; then printf 'null'; else printf '%d' "$1"; fi
}

# The credentials go to curl in a config file (mode 600), never on its command line.
umask 077
{
  user="$WHARF_USER:$WHARF_PASSWORD"
  user="${user//\\/\\\\}"
  user="${user//\"/\\\"}"
  printf 'user = "%s"\n' "$user"
} > "$work/curl.conf"

# api METHOD PATH [BODY_FILE] -> prints the HTTP status; the response body is in $work/body.
api() {
  local method="$1" path="$2" body="${3:-}"
  local args=(--silent --show-error --config "$work/curl.conf" -X "$method" -o "$work/body" -w '%{http_code}' -H 'Accept: application/json')
  if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data-binary "@$body"); fi
  curl "${args[@]}" "$API$path"
}

fail() {
  echo "provision.sh: $1" >&2
  if [ -s "$work/body" ]; then cat "$work/body" >&2; echo >&2; fi
  exit 1
}

# ensure TYPE NAME BODY_FILE: POST when the repository does not exist, PUT when it does.
ensure() {
  local type="$1" name="$2" body="$3" status
  status="$(api GET "/repositories/docker/$type/$name")"
  case "$status" in
    200)
      status="$(api PUT "/repositories/docker/$type/$name" "$body")"
      [ "$status" = 204 ] || fail "PUT $type repository $name answered $status"
      echo "updated $type repository $name"
      ;;
    404)
      status="$(api POST "/repositories/docker/$type" "$body")"
      [ "$status" = 201 ] || fail "POST $type repository $name answered $status"
      echo "created $type repository $name"
      ;;
    *) fail "GET $type repository $name answered $status" ;;
  esac
}

# Wait until Wharf answers (it may just have been started).
# Says what it waits for at once and every 5 s, so a wrong WHARF_URL is plain long before the deadline.
deadline=$((SECONDS + WAIT_SECONDS))
next_report=$SECONDS
until answer="$(curl --silent --max-time 5 -o /dev/null -w '%{http_code}' "$API/status" 2>/dev/null)" && [ "$answer" = 200 ]; do
  case "${answer:-000}" in
    000) seen="no connection" ;;
    *) seen="HTTP $answer" ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || { echo "provision.sh: Wharf at $WHARF_URL did not answer within ${WAIT_SECONDS}s ($seen); check WHARF_URL" >&2; exit 1; }
  if [ "$SECONDS" -ge "$next_report" ]; then
    next_report=$((SECONDS + 5))
    echo "provision.sh: waiting for Wharf at $API/status ($seen; $((deadline - SECONDS))s left of WAIT_SECONDS=$WAIT_SECONDS)" >&2
  fi
  sleep 1
done

# 1. docker-hub: the proxy.
if [ -n "${DOCKERHUB_USERNAME:-}" ]; then
  authentication="{\"type\":\"username\",\"username\":$(json_str "$DOCKERHUB_USERNAME"),\"password\":$(json_str "${DOCKERHUB_PASSWORD:-}")}"
else
  authentication=null
fi
cat > "$work/docker-hub.json" <<EOF
{
  "name": "docker-hub",
  "online": true,
  "storage": { "blobStoreName": "default", "strictContentTypeValidation": true },
  "proxy": { "remoteUrl": $(json_str "$UPSTREAM"), "contentMaxAge": 1440, "metadataMaxAge": 1440 },
  "negativeCache": { "enabled": true, "timeToLive": 1440 },
  "httpClient": { "blocked": false, "autoBlock": true, "authentication": $authentication },
  "docker": { "v1Enabled": false, "forceBasicAuth": false, "httpPort": $(json_port "$HUB_PORT") },
  "dockerProxy": { "indexType": $(json_str "$INDEX_TYPE"), "indexUrl": null }
}
EOF
ensure proxy docker-hub "$work/docker-hub.json"

# 2. docker-hosted: where images are pushed (login required, also to pull).
cat > "$work/docker-hosted.json" <<EOF
{
  "name": "docker-hosted",
  "online": true,
  "storage": { "blobStoreName": "default", "strictContentTypeValidation": true, "writePolicy": "ALLOW" },
  "cleanup": { "policyNames": [] },
  "docker": { "v1Enabled": false, "forceBasicAuth": true, "httpPort": $(json_port "$HOSTED_PORT"), "httpsPort": null, "subdomain": null }
}
EOF
ensure hosted docker-hosted "$work/docker-hosted.json"

# 3. docker-all: the group, hosted first, writes to docker-hosted.
cat > "$work/docker-all.json" <<EOF
{
  "name": "docker-all",
  "online": true,
  "storage": { "blobStoreName": "default", "strictContentTypeValidation": true },
  "group": { "memberNames": ["docker-hosted", "docker-hub"], "writableMember": "docker-hosted" },
  "docker": { "v1Enabled": false, "forceBasicAuth": false, "httpPort": $(json_port "$GROUP_PORT") }
}
EOF
ensure group docker-all "$work/docker-all.json"

# 4. Anonymous access (read-only: anonymous callers may pull from repositories without forceBasicAuth).
case "$ANONYMOUS" in true | false) ;; *) fail "ANONYMOUS must be true or false, not $ANONYMOUS" ;; esac
printf '{"enabled":%s,"userId":"anonymous","realmName":"NexusAuthorizingRealm"}\n' "$ANONYMOUS" > "$work/anonymous.json"
status="$(api PUT /security/anonymous "$work/anonymous.json")"
case "$status" in 200 | 204) echo "anonymous access: $ANONYMOUS" ;; *) fail "PUT /security/anonymous answered $status" ;; esac

host="$(printf '%s' "$WHARF_URL" | sed -E 's#^[a-z]+://##; s#[:/].*$##')"
cat <<EOF

Wharf is provisioned. Docker daemons (/etc/docker/daemon.json):
  { "registry-mirrors": ["http://$host:$GROUP_PORT"],
    "insecure-registries": ["$host:$GROUP_PORT", "$host:$HOSTED_PORT"] }
Push:  docker login $host:$HOSTED_PORT && docker push $host:$HOSTED_PORT/team/app:1
Pull:  docker pull busybox:1.36   (through the mirror)  or  docker pull $host:$GROUP_PORT/team/app:1
EOF
