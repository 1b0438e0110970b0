# Wharf container image.
#   docker build -t wharf .        or        docker compose up -d --build
# Data (SQLite database, blob store, secrets/, generated admin password) lives in the volume /data.
#
# The base images are build arguments, so the image builds from a local or mirrored base without pulling
# from Docker Hub, e.g.  docker build --build-arg BUILD_IMAGE=registry.internal/node:20-bookworm \
#                                      --build-arg RUNTIME_IMAGE=registry.internal/node:20-bookworm-slim .
# Any Debian-based Node.js >= 20.19 image works (the build stage installs python3, make and g++ with apt-get).

ARG BUILD_IMAGE=node:20-bookworm
ARG RUNTIME_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install every dependency, compile the TypeScript workspaces and the web UI, drop the dev dependencies
# ---------------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build

# better-sqlite3 is compiled from source during `npm ci` when no prebuilt binary is reachable:
# node-gyp needs python3, make and a C++ compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The whole context (see .dockerignore): `npm ci` needs the package.json of every npm workspace
# listed in the root package.json, and copying them all at once keeps this file right when a
# workspace is added.
COPY . .

RUN npm ci \
 && npm run build \
 && npm prune --omit=dev

# ---------------------------------------------------------------------------------------------
# runtime: Node.js, the built workspaces and the built web UI only, run as the unprivileged user `node`
# ---------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}

# The runtime settings of scripts/server-runtime.js (memory: see the README, "Runtime settings");
# apps/server/test/runtime/server-runtime.test.ts keeps these lines equal to it.
ENV NODE_ENV=production \
    WHARF_DATA_DIR=/data \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072

WORKDIR /app

# Production node_modules (with the native better-sqlite3 build and the @wharf/* workspace links)
# and the compiled workspaces the links point to. Owned by root: the app cannot modify itself.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
# The admin web UI, built by `npm run build` (vite build), served at `/` from web/dist: without it `/`
# answers 503 "not built". Its package.json keeps the @wharf/web workspace link from dangling.
COPY --from=build /app/web/package.json ./web/package.json
COPY --from=build /app/web/dist ./web/dist

# The data directory must exist, owned by `node`, before VOLUME: a new named volume copies its
# ownership. (For a bind mount, make the host directory writable for uid 1000.)
# /secrets: where replicas mount the volume holding their shared secret key (docker-compose.yml, profile replicas).
RUN mkdir -p /data /secrets && chown node:node /data /secrets
USER node
VOLUME /data

# 8081: main port (web UI, REST API, token endpoint, path-routed registry API). 8082-8089: connector ports that
# repositories can claim with docker.httpPort (publish the ones you use).
EXPOSE 8081 8181 8182 8082-8089

# GET /service/rest/v1/status/ready (anonymous) answers 200 while the database and the blob store work and
# Wharf is not shutting down, 503 otherwise. It is asked on loopback, so keep WHARF_HOST at its default
# 0.0.0.0 (or 127.0.0.1) in the container.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WHARF_PORT || 8081) + '/service/rest/v1/status/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Wharf stops cleanly on SIGTERM (docker stop) and SIGINT.
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=50", "apps/server/dist/main.js"]
