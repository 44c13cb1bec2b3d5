# The wsgw gateway image; it also carries wsgw-load (the compose `loadtest` service).
# Build from the repository root, where .dockerignore keeps node_modules and .git out:
#   docker build -f compose/gateway.Dockerfile -t wsgw-gateway .
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Stage 1: the build: the gateway and the OpenTelemetry bootstrap compiled to JavaScript (tsc), and
# the console's static build, which the gateway serves at /console/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
COPY console/package.json console/
COPY dashboards-as-code/package.json dashboards-as-code/
COPY otel/package.json otel/
COPY compose/package.json compose/
COPY loadtest/package.json loadtest/
# Scripts off: the root postinstall would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY otel otel
COPY gateway gateway
COPY console console
RUN npm run build

# Stage 2: production dependencies and the compiled output: the gateway runs as JavaScript, with no
# TypeScript source and no loader. tsx is still installed because wsgw-load (the compose `loadtest`
# service) runs its TypeScript through it, a dependency of its own; it imports only types from the
# gateway, so it needs no gateway source.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
COPY console/package.json console/
COPY dashboards-as-code/package.json dashboards-as-code/
COPY otel/package.json otel/
COPY compose/package.json compose/
COPY loadtest/package.json loadtest/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/otel/dist otel/dist
COPY --from=build /app/gateway/dist gateway/dist
# `wsgw` (`npx wsgw --help` lists the configuration).
COPY gateway/bin gateway/bin
COPY --from=build /app/console/dist console/dist
COPY loadtest/bin loadtest/bin
COPY loadtest/src loadtest/src

# The image's own user (uid 1000), not root: the gateway needs no privilege, not even a low port.
USER node
WORKDIR /app/gateway
EXPOSE 8080
# Healthy while the node is ready (503 once it drains or loses its bus); node, since the slim
# image has neither curl nor wget. PORT is the container's, as the gateway reads it.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=10 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 8080}/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start` runs (gateway/package.json), without npm in between to pass signals on.
CMD ["node", "--import", "@wsgw/otel/dist/register", "dist/main.js"]
