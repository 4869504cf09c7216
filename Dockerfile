# syntax=docker/dockerfile:1
# Vigil's image: `docker run -e ADMIN_TOKEN=… -e REDIS_URL=redis://… -p 8080:8080 vigil` runs the API and the workers
# in one process with the embedded store in the /data volume; compose runs them apart, on MongoDB (docs/deploy.md).
# scripts/docker-steps-check.ts performs this file's build steps outside Docker and starts the result, so keep
# every build step a RUN of the `build` stage.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# A compiler for native modules (better-sqlite3) when no prebuilt binary fits this platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# The whole context, then one `npm ci`: it installs every workspace and runs the root `prepare` (the build), so
# whatever the build grows to (the SDK, the dashboard) lands in the image without this file changing. npm's download
# cache outlives the layer, so a source change does not download every package again.
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=8080 \
    WORKER_PORT=9464
# The embedded store and the generated admin token live in /data, owned by the unprivileged user the service runs
# as; a named volume mounted there starts with that ownership.
RUN mkdir -p /data && chown node:node /data
COPY --from=build /app ./
USER node
VOLUME ["/data"]
# 8080: the API (and, in `all` mode, the workers' metrics); 9464: health and metrics of a `worker` process.
EXPOSE 8080 9464
# Liveness of an API or `all` process; compose points the worker's check at WORKER_PORT.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js", "all"]
