# Respite's container image: a statically linked respite on scratch.
#
#   podman build --format docker -t respite .     (or: docker build -t respite .)
#   docker run -p 127.0.0.1:6379:6379 respite
#   docker run respite --requirepass secret --maxclients 1000
#   docker run -v ./my.conf:/etc/respite.conf:ro respite
#
# The entrypoint is `/respite /etc/respite.conf --bind 0.0.0.0`, so:
# - arguments after the image name (compose `command:`) are appended as
#   directives and win over the file;
# - /etc/respite.conf is conf/respite.conf (every default, documented);
#   mount your own file there to configure with a file instead;
# - the image listens on 0.0.0.0 whatever the file says; pass
#   `--bind ADDR` as an argument to change that.
# - the working directory is /data, owned by the image's user, so
#   `dir .` puts SAVE's and BGSAVE's dump.rdb there and a start loads it;
#   mount a volume on /data to keep snapshots past the container (no
#   VOLUME line: a test sidecar should not leave anonymous volumes).
# The HEALTHCHECK runs `respite --ping 127.0.0.1:6379` (no shell in the
# image), which takes the password from $REDISCLI_AUTH: with requirepass,
# set that variable too (see docker-compose.yml). With another port,
# override the check: ["CMD", "/respite", "--ping", "127.0.0.1:PORT"].
# `docker run respite --version` would start a server with that flag
# ignored; use `docker run --entrypoint /respite respite --version`.
# (`--format docker` matters for podman: the OCI format drops HEALTHCHECK.)

# ---- build: the same Debian 12 packages as scripts/deps.sh's build set
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential pkg-config libuv1-dev libhiredis-dev libjemalloc-dev \
        libxxhash-dev liblua5.1-0-dev lua-cjson-dev lua-bitop-dev \
        liblzf-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY protocol/ protocol/
COPY store/ store/
COPY conf/ conf/
COPY server/ server/
RUN make -j"$(nproc)" static \
 && ./bin/respite-static --version \
 && mkdir -p /out/etc /data \
 && cp bin/respite-static /out/respite \
 && cp conf/respite.conf /out/etc/respite.conf \
 && echo 'respite:x:65532:65532:respite:/:/respite' >/out/etc/passwd \
 && echo 'respite:x:65532:' >/out/etc/group

# ---- the image: one binary, its default config, a non-root user
FROM scratch
COPY --from=build /out/ /
COPY --from=build --chown=65532:65532 /data /data
WORKDIR /data
USER 65532:65532
EXPOSE 6379
ENTRYPOINT ["/respite", "/etc/respite.conf", "--bind", "0.0.0.0"]
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/respite", "--ping", "127.0.0.1:6379"]
STOPSIGNAL SIGTERM
