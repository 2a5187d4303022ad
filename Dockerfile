# syntax=docker/dockerfile:1
# BoCloud's two images (docker-compose.yml builds both):
#   --target web     the Next.js app as Next's standalone server (`node server.js`, PORT 3000)
#   --target node    BoCloud's Node processes: the stream sidecar (`node dist/stream.mjs`, the
#                    default, STREAM_PORT 3001), the worker (`node dist/worker.mjs`), the MQTT
#                    listener (`node dist/mqtt.mjs`, MQTT_PORT 1883, MQTT_WS_PORT 3003) and the
#                    one-shot migration (`node dist/migrate.mjs`)
# Both are built with the README's commands (npm ci, npm run build), hold production files only
# (no dev dependencies, no sources) and run as the unprivileged `node` user.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV NEXT_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# ---- build: every dependency, then `npm run build` (prisma generate, next build, esbuild) ----
FROM base AS build
COPY package.json package-lock.json ./
# The project's npm (11) runs no install scripts unless approved, and nothing here needs one;
# this image's npm would run them (Prisma's engines would try a download), so skip them alike.
RUN npm ci --ignore-scripts
COPY . .
# BOCLOUD_STANDALONE=1 turns on `output: "standalone"` (next.config.js): .next/standalone holds
# server.js and only the node_modules files the server uses. public/ may be missing in a fresh
# checkout (git keeps no empty folder), and the web stage copies it.
RUN mkdir -p public && BOCLOUD_STANDALONE=1 npm run build

# ---- what dist/*.mjs import: esbuild left every package external (--packages=external) ----
FROM base AS node-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts
COPY deploy/bundle-deps.mjs deploy/
COPY --from=build /app/dist dist/
# Remove the dependencies the bundles do not import (next, react, concurrently, …; found by
# deploy/bundle-deps.mjs, not listed by hand) and Prisma's query compilers for other
# databases, then prove that every import of the bundles still resolves.
RUN unused="$(node deploy/bundle-deps.mjs unused)" \
 && if [ -n "$unused" ]; then \
      npm uninstall --no-save --omit=dev --omit=optional --ignore-scripts $unused; \
    fi \
 && find node_modules/@prisma/client/runtime -name 'query_compiler_*' ! -name '*postgresql*' -delete \
 && node deploy/bundle-deps.mjs check

# ---- the Node processes: stream sidecar, worker, MQTT listener, one-shot migration ----
FROM base AS node
ENV NODE_ENV=production \
    STREAM_PORT=3001
COPY --from=node-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma/migrations ./prisma/migrations
USER node
EXPOSE 3001 1883 3003
CMD ["node", "dist/stream.mjs"]

# ---- the web app ----
FROM base AS web
ENV NODE_ENV=production \
    PORT=3000 \
    HOSTNAME=0.0.0.0
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/public ./public
# The code stays root's (read-only to the server); only Next's cache folder is writable.
RUN mkdir -p .next/cache && chown node:node .next/cache
USER node
EXPOSE 3000
CMD ["node", "server.js"]
