# Test image for tests/docker/systemd_test.sh: Debian with systemd as PID 1 and stashd installed
# the way an operator does it, `cmake --install build --prefix /usr` as root without DESTDIR
# (which creates the stashd user through systemd-sysusers), from docker/Dockerfile's build stage.
# Not a product image: it carries the compiler and the build tree.
ARG BUILD_IMAGE=stashd:build-stage
FROM ${BUILD_IMAGE}
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       systemd systemd-sysv redis-tools logrotate procps >/dev/null \
    && rm -rf /var/lib/apt/lists/*
# The build stage was configured for the image's /data; the host default is /var/lib/stashd.
RUN cmake -S /src -B /src/build -DSTASHD_DATA_DIR=/var/lib/stashd >/dev/null \
    && cmake --install /src/build --prefix /usr \
    && systemctl enable stashd.service
STOPSIGNAL SIGRTMIN+3
CMD ["/lib/systemd/systemd"]
