# syntax=docker/dockerfile:1
#
# Feed images: one multi-stage file, one target per app plus the all-in-one preview image.
#
#   docker build --target api        -t feed-api:<git-sha>       --build-arg VERSION=0.1.0 --build-arg GIT_SHA=<sha> .
#   docker build --target feed       -t feed:feature-x-v0.1.0    --build-arg FEATURE=feature-x ...
#   targets: ingest, normalizer, persister, api, streams (the stream setup job), feed (all-in-one)
#
# tools/image-rehearsal re-creates every runtime target from THIS file's COPY set (it parses it) and runs it as an
# unprivileged user on a read-only tree, because no build machine has a Docker engine. Keep the stages simple:
# `deps` and `build` are the only stages runtime targets copy from, and the rehearsal runs their RUN lines.
# tools/swarm/src/dockerfile-check.ts enforces: pinned base (version AND digest), non-root USER, HEALTHCHECK.

# Node 22 LTS (the code runs on 20 and 22), pinned by version and by the multi-arch index digest.
ARG NODE_IMAGE=node:22.22.0-bookworm-slim@sha256:dd9d21971ec4395903fa6143c2b9267d048ae01ca6d3ea96f16cb30df6187d94

# Production dependencies only, from the lockfile; no install scripts (nothing in the stack needs them).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The Nx build output: one esbuild bundle per app (node_modules stay external, installed by `deps`).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node tools/build/esbuild.mjs apps/ingest/src/main.ts dist/apps/ingest/main.js apps/normalizer/src/main.ts dist/apps/normalizer/main.js apps/persister/src/main.ts dist/apps/persister/main.js apps/api/src/main.ts dist/apps/api/main.js tools/streams/src/main.ts dist/tools/streams/main.js tools/replay/src/main.ts dist/tools/replay/main.js

# What every runtime image shares: prod node_modules, the health probe, a non-root user (the image's `node`, uid
# 1000), OCI labels. Swarm runs the containers with a read-only root filesystem; nothing here writes to /app.
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.0.0-dev
ARG GIT_SHA=unknown
ARG FEATURE=main
LABEL org.opencontainers.image.title="feed" \
      org.opencontainers.image.description="Feed: real-time Bitcoin market data" \
      org.opencontainers.image.source="https://github.com/omega-btc-ai/feed" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_SHA}" \
      io.feed.feature="${FEATURE}"
ENV NODE_ENV=production \
    FEED_ENV=production \
    NODE_OPTIONS="--max-old-space-size=96 --max-semi-space-size=8"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY deploy/docker/healthcheck.js deploy/docker/run-app.js ./
USER node
# Decision 9: /health is liveness only (event loop responsive, consumer loop running). A venue outage makes the
# app not *fresh*, never unhealthy, so it restarts nothing; a wedged task fails this and is replaced, and a
# release that cannot start never turns healthy, so the swarm update's failure_action rolls it back.
# The probe is Node (slim images have no curl); its port is HTTP_PORT, else the app's default.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "/app/healthcheck.js"]

FROM runtime AS ingest
ENV FEED_APP=ingest
COPY --from=build /src/dist/apps/ingest/ ./dist/apps/ingest/
EXPOSE 8081
CMD ["node", "--single-threaded-gc", "dist/apps/ingest/main.js"]

FROM runtime AS normalizer
ENV FEED_APP=normalizer
COPY --from=build /src/dist/apps/normalizer/ ./dist/apps/normalizer/
EXPOSE 8082
CMD ["node", "--single-threaded-gc", "dist/apps/normalizer/main.js"]

# The persister image also carries the replay tool (rebuild, restore, and the `snapshotter` service's
# `snapshot --every`): the same projection code at the same git sha by construction, so rolling the persister back
# rolls the snapshotter and the restore commands back with it.
FROM runtime AS persister
ENV FEED_APP=persister
COPY --from=build /src/dist/apps/persister/ ./dist/apps/persister/
COPY --from=build /src/dist/tools/replay/ ./dist/tools/replay/
# The snapshot volume's mount point, owned by `node` so an empty volume mounted there is writable (see its README).
COPY --chown=node:node deploy/docker/snapshots/ /var/lib/feed/snapshots/
EXPOSE 8083
CMD ["node", "--single-threaded-gc", "dist/apps/persister/main.js"]

FROM runtime AS api
ENV FEED_APP=api
COPY --from=build /src/dist/apps/api/ ./dist/apps/api/
EXPOSE 8080
CMD ["node", "--single-threaded-gc", "dist/apps/api/main.js"]

# The idempotent stream setup job (decision 4): runs to completion, so no health check.
FROM runtime AS streams
ENV FEED_APP=streams
COPY --from=build /src/dist/tools/streams/ ./dist/tools/streams/
HEALTHCHECK NONE
CMD ["node", "dist/tools/streams/main.js", "apply"]

# All-in-one preview image: every app; the first argument picks one (`docker run feed:feature-x-v0.1.0 api`).
FROM runtime AS feed
COPY --from=build /src/dist/apps/ ./dist/apps/
COPY --from=build /src/dist/tools/streams/ ./dist/tools/streams/
ENTRYPOINT ["node", "--single-threaded-gc", "/app/run-app.js"]
CMD ["api"]
