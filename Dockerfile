# syntax=docker/dockerfile:1
#
# TerraFix container image: `terrafix run` (the daemon) by default.
#
#   docker build -t terrafix:$(git rev-parse --short HEAD) .
#
# Stages: deps (production node_modules, native addons compiled here), build (tsc -> dist/),
# terraform (pinned, checksum-verified binary), runtime (slim, non-root, no compilers).
#
# Pins. Update them together, on purpose:
#   * NODE_IMAGE: an exact Node 22 tag (https://hub.docker.com/_/node). For a reproducible build
#     also pin the digest: `docker buildx imagetools inspect node:22.22.2-bookworm-slim` and append
#     `@sha256:<digest>`.
#   * TERRAFORM_VERSION and TERRAFORM_SHA256_AMD64/ARM64: take both lines for the new version from
#     https://releases.hashicorp.com/terraform/<version>/terraform_<version>_SHA256SUMS (the
#     `terraform_<version>_linux_amd64.zip` and `..._linux_arm64.zip` entries; 64 hex characters
#     each). Ideally check that file's signature (terraform_<version>_SHA256SUMS.sig, HashiCorp's
#     key https://www.hashicorp.com/security) once when you bump. The build fails if the zip does
#     not match.
ARG NODE_IMAGE=node:22.22.2-bookworm-slim
ARG TERRAFORM_VERSION=1.13.1
ARG TERRAFORM_SHA256_AMD64=4449e2ddc0dee283f0909dd603eaf98edeebaa950f4635cea94f2caf0ffacc5a
ARG TERRAFORM_SHA256_ARM64=2bb0787c2da1ad94d6a495a848aad4e9b572adb02bfc7361afeee80f07fd90ac

# ---------------------------------------------------------------------------------------------
# Production dependencies. better-sqlite3 is a native addon: its install script downloads a
# prebuilt binary (prebuild-install) and falls back to compiling with node-gyp, hence the build
# tools here and only here.
#
# package.json's `allowScripts` lists which packages may run install scripts. npm 11 reads it;
# the npm 10 bundled with Node 22 ignores it and would run every script, including the
# tree-sitter grammar's node-gyp build that TerraFix does not need (it loads the .wasm). So we
# apply the list by hand: install with scripts off, then rebuild exactly the allowed packages.
# Keep the `npm rebuild` list equal to the `true` entries of allowScripts.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------
# Build: all dependencies (TypeScript is a dev dependency), then tsc -> dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts needed to compile: tsc is plain JavaScript.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---------------------------------------------------------------------------------------------
# Terraform (used for `terraform fmt` in the verification gates) and the Amazon RDS CA bundle
# (for verify-full TLS to RDS PostgreSQL).
FROM ${NODE_IMAGE} AS tools
ARG TERRAFORM_VERSION
ARG TERRAFORM_SHA256_AMD64
ARG TERRAFORM_SHA256_ARM64
ARG TARGETARCH=amd64
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates unzip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /tools
RUN set -eu; \
    case "${TARGETARCH}" in \
      amd64) sum="${TERRAFORM_SHA256_AMD64}" ;; \
      arm64) sum="${TERRAFORM_SHA256_ARM64}" ;; \
      *) echo "unsupported architecture ${TARGETARCH}" >&2; exit 1 ;; \
    esac; \
    zip="terraform_${TERRAFORM_VERSION}_linux_${TARGETARCH}.zip"; \
    curl -fsSL --proto '=https' --tlsv1.2 -o "${zip}" "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/${zip}"; \
    echo "${sum}  ${zip}" | sha256sum -c -; \
    unzip -q "${zip}" terraform; \
    rm "${zip}"; \
    ./terraform version
# AWS rotates this bundle's contents, so it is not pinned by checksum; it is fetched over TLS
# from AWS's trust store (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html).
RUN curl -fsSL --proto '=https' --tlsv1.2 -o rds-global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem \
 && grep -q "BEGIN CERTIFICATE" rds-global-bundle.pem

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 terrafix \
 && useradd --system --uid 10001 --gid terrafix --home-dir /home/terrafix --create-home --shell /usr/sbin/nologin terrafix
WORKDIR /app
COPY --from=tools /tools/terraform /usr/local/bin/terraform
COPY --from=tools /tools/rds-global-bundle.pem /app/certs/rds-global-bundle.pem
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# /app/data holds the SQLite state, the clone cache and dry-run output; /app/tmp is scratch.
# Both are created here owned by the non-root user: on ECS Fargate a bind-mount volume takes the
# image directory's ownership, so the task can run with a read-only root file system.
RUN mkdir -p /app/data /app/tmp \
 && chown -R terrafix:terrafix /app/data /app/tmp
ENV NODE_ENV=production \
    TMPDIR=/app/tmp \
    CHECKPOINT_DISABLE=1 \
    TERRAFIX_HTTP_PORT=8080 \
    TERRAFIX_TERRAFORM_BIN=/usr/local/bin/terraform
USER 10001:10001
VOLUME ["/app/data", "/app/tmp"]
EXPOSE 8080
# slim images have no curl: probe /healthz with node itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TERRAFIX_HTTP_PORT||'8080')+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/terrafix.js"]
CMD ["run"]
