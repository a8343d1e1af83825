# syntax=docker/dockerfile:1
#
# The openaq-lakehouse job image: Node 24 LTS on Debian slim (glibc), production dependencies
# only, DuckDB extensions installed at build time for the image's own platform. Build it for
# linux/arm64 (what the Fargate task runs) or linux/amd64; every stage runs on the target
# platform, so npm installs that platform's DuckDB binding and DuckDB installs that platform's
# extensions (an amd64 host builds arm64 under QEMU/binfmt).
#
#   docker buildx build --platform linux/arm64 -t openaq-lakehouse .
#   docker run --rm openaq-lakehouse --help
#
# Pin the base image by digest with --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:….
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- production node_modules (no devDependencies: no Pulumi, no TypeScript, no test tools) ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script; --ignore-scripts keeps it that way.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# ---- DuckDB extensions, installed by the DuckDB of @duckdb/node-api itself ----
FROM deps AS extensions
# Must equal the DuckDB version of the locked @duckdb/node-api and the job's REQUIRED_EXTENSIONS
# (job/lake/duckdbExtensions.ts); test/unit/dockerfile.test.ts checks both.
ARG DUCKDB_VERSION=1.5.5
ARG DUCKDB_EXTENSIONS="httpfs avro aws iceberg"
ARG TARGETARCH
ENV EXTENSION_DIR=/opt/duckdb-extensions
RUN node --input-type=module -e " \
      import { DuckDBInstance } from '@duckdb/node-api'; \
      const instance = await DuckDBInstance.create(':memory:', { extension_directory: process.env.EXTENSION_DIR }); \
      const connection = await instance.connect(); \
      try { \
        for (const name of process.env.DUCKDB_EXTENSIONS.split(' ')) { \
          await connection.run('INSTALL ' + name); \
          await connection.run('LOAD ' + name); \
        } \
      } finally { connection.closeSync(); instance.closeSync(); }" \
    && case "$TARGETARCH" in \
         amd64) platform=linux_amd64 ;; \
         arm64) platform=linux_arm64 ;; \
         *) echo "docker: unsupported TARGETARCH \"$TARGETARCH\"; build for linux/arm64 or linux/amd64" >&2; exit 1 ;; \
       esac \
    && for name in $DUCKDB_EXTENSIONS; do \
         file="$EXTENSION_DIR/v$DUCKDB_VERSION/$platform/$name.duckdb_extension"; \
         test -f "$file" || { echo "docker: $file is missing: is DUCKDB_VERSION ($DUCKDB_VERSION) the version of the locked @duckdb/node-api?" >&2; exit 1; }; \
       done

# ---- the runtime image ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    OPENAQ_EXTENSION_DIR=/opt/duckdb-extensions
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=extensions /opt/duckdb-extensions /opt/duckdb-extensions
COPY package.json ./
COPY bin ./bin
COPY job ./job
# DuckDB's httpfs (its own statically linked libcurl) reads the CA bundle at
# /etc/ssl/certs/ca-certificates.crt; without it every HTTPS request (S3 Tables, data files) fails
# with "Problem with the SSL CA cert". The base image installs ca-certificates and purges it again.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && test -s /etc/ssl/certs/ca-certificates.crt
# The base image's unprivileged user; the job writes only to /tmp (its work directory).
USER node
# The flags are job/model/nodeFlags.ts's CLI_NODE_FLAGS.
ENTRYPOINT ["node", "--max-semi-space-size=16", "bin/openaq-lakehouse.js"]
CMD ["nightly"]
