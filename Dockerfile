# syntax=docker/dockerfile:1
#
# bedrock-anthropic-proxy: one image for AWS Lambda (behind a streaming Function URL, through the
# AWS Lambda Web Adapter), ECS/Fargate behind an ALB, and `docker run` / `docker compose`.
# See docs/deploy-lambda.md and docs/deploy-ecs.md.
#
#   docker build -t bedrock-anthropic-proxy .
#   docker run --rm -p 8080:8080 -e AWS_REGION=us-east-1 -e BEARER_TOKEN=... bedrock-anthropic-proxy
#
# Base images are pinned by tag (Node 24 LTS: the AWS SDK needs Node 22+ for its releases from 2027).
# For reproducible builds, pin by digest as well (node:24-bookworm-slim@sha256:...).

# ---- build: all dependencies, TypeScript -> dist/ ----------------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency has an install script; --ignore-scripts keeps it that way.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only, from the same lockfile --------------------------------
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: dist/, package files and production node_modules; no sources, tests or compilers --
FROM node:24-bookworm-slim AS runtime

# The Lambda Web Adapter, a Lambda extension: on Lambda it turns invocations into HTTP requests to
# the server (and streams the responses back); anywhere else nothing starts it and it stays inert.
COPY --from=public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1 /lambda-adapter /opt/extensions/lambda-adapter

WORKDIR /app
# PORT: the server's listen port. AWS_LWA_*: where the adapter finds the server, the readiness check
# it polls before the first invocation (no token needed, no AWS call), and response streaming
# (needs the Function URL's InvokeMode RESPONSE_STREAM, see template.yaml).
ENV NODE_ENV=production \
    PORT=8080 \
    AWS_LWA_PORT=8080 \
    AWS_LWA_READINESS_CHECK_PATH=/health \
    AWS_LWA_INVOKE_MODE=response_stream

# Files stay owned by root and world-readable: the process cannot modify its own code, and Lambda,
# which runs the image as its own unprivileged user whatever USER says, can still read them.
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

USER node
EXPOSE 8080

# Docker's own health check (`docker run`, compose). Lambda ignores it; ECS uses the ALB's check on
# /health. Uses Node's fetch: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Exec form: node is PID 1 (or the child of the init that ECS/compose add) and receives SIGTERM
# directly, so the graceful shutdown in src/server.ts runs (no shell in between to swallow it).
CMD ["node", "dist/server.js"]
