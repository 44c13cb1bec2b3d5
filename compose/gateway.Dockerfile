# The wsgw gateway image; it also carries wsgw-load (the compose `loadtest` service).
# Build from the repository root, where .dockerignore keeps node_modules and .git out:
#   docker build -f compose/gateway.Dockerfile -t wsgw-gateway .
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Stage 1: the console's static build, which the gateway serves at /console/.
FROM ${NODE_IMAGE} AS console
WORKDIR /app
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
COPY console/package.json console/
COPY dashboards-as-code/package.json dashboards-as-code/
COPY otel/package.json otel/
COPY compose/package.json compose/
COPY loadtest/package.json loadtest/
# Scripts off: the root postinstall would build the console before its sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY gateway gateway
COPY console console
RUN npm run build -w console

# Stage 2: production dependencies only. The gateway runs its TypeScript through tsx, which is one
# of its dependencies, so there is no compile step.
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
COPY otel otel
COPY gateway/src gateway/src
COPY loadtest/bin loadtest/bin
COPY loadtest/src loadtest/src
COPY --from=console /app/console/dist console/dist

USER node
WORKDIR /app/gateway
EXPOSE 8080
CMD ["node", "--import", "tsx", "--import", "@wsgw/otel/register", "src/main.ts"]
