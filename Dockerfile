# syntax=docker/dockerfile:1
#
# l2-announcer node agent image.
#   docker build -t l2-announcer:0.1.0 .
#
# Stage 1 compiles the XDP ARP responder with clang (ebpf/build.sh -> ebpf/build/l2_responder.bpf.o),
# stage 2 builds the Quarkus app with the Maven wrapper; Maven packages the object from stage 1 as
# the classpath resource /bpf/l2_responder.bpf.o. The runtime image has only the JRE, libbpf,
# iproute2 (ip/bridge for troubleshooting from `kubectl exec`) and ndisc6 (`ndisc6 -1 <IPv6 VIP> eth0`
# shows which MAC answers a Neighbor Solicitation, the IPv6 counterpart of arping), the packaged agent
# with its launcher (/app/l2-announcer) and JVM options (/app/jvm.options, the one place they are
# defined), and the AOT cache (/app/app.aot) trained in stage 3 with that JRE.

# Architectures: the image is built for the build host's platform (docker buildx --platform selects
# another). The Java datapath supports linux/amd64 and linux/arm64 (bpf(2) syscall number chosen by
# os.arch, anything else fails at start with a clear message); ebpf/build.sh picks the matching
# include dir. On arm64 netty's epoll transport (an x86_64 classifier in pom.xml) is absent and
# Netty falls back to NIO. Only amd64 is built and tested in CI.
# ---- 1. BPF object ------------------------------------------------------------------------------
FROM debian:bookworm-slim AS bpf
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      clang llvm libbpf-dev libc6-dev linux-libc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY ebpf/ ebpf/
RUN rm -rf ebpf/build && sh ebpf/build.sh

# ---- 2. application -----------------------------------------------------------------------------
FROM eclipse-temurin:25-jdk AS app
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/ src/
COPY ebpf/ ebpf/
# The object from stage 1; this stage has no clang, so Maven's ebpf step only packages it.
# The cache mount keeps ~/.m2 (wrapper distribution and dependencies) between builds.
# An AOT cache is valid only for the JVM that wrote it: stage 3 trains it with the runtime JRE, so this
# stage skips the training run.
COPY --from=bpf /src/ebpf/build/l2_responder.bpf.o ebpf/build/l2_responder.bpf.o
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B package -DskipTests -Dl2a.aot.skip=true \
 && test -f target/quarkus-app/quarkus-run.jar \
 && test -x target/quarkus-app/l2-announcer \
 && test -f target/quarkus-app/jvm.options \
 && jar tf target/quarkus-app/app/l2-announcer-*.jar | grep -qx 'bpf/l2_responder.bpf.o'

# ---- 3. runtime ---------------------------------------------------------------------------------
FROM eclipse-temurin:25-jre
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libbpf1 iproute2 ndisc6 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=app /src/target/quarkus-app/ /app/
# The AOT cache's training run (dev.l2announcer.demo.AotTraining, in the packaged jar): /app/l2-announcer
# against the embedded API on loopback, with this image's JRE and /app paths (the cache is valid for
# exactly those); the CRD is mounted from the build context, not copied into the image. A build has no
# BPF privileges, so the trained agent stops at its datapath: the cache covers the start-up up to there
# (README, "Footprint"); without a cache the agent starts the same, only slower.
RUN --mount=type=bind,source=crds,target=/tmp/crds \
    java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
      -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp /app/quarkus-run.jar \
      dev.l2announcer.demo.AotTraining /app /tmp/crds/ciliuml2announcementpolicies.cilium.io.yaml \
 && test -s /app/app.aot

# Why uid 0 and not a non-root user: the agent needs CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN,
# CAP_NET_RAW and CAP_SYS_ADMIN (the stale-state doctor's map/program walk) in its *effective* set. Kubernetes puts added capabilities into the effective set
# only for uid 0; a non-root process gets them in the bounding set alone (Kubernetes has no ambient
# capabilities), so it would need file capabilities on the java binary, which turns on secure-exec
# and breaks the JVM's own library loading. So the image runs as uid 0 and the DaemonSet
# (deploy/daemonset.yaml) makes that root weak: every capability dropped except those five,
# allowPrivilegeEscalation=false (no_new_privs), read-only root filesystem, RuntimeDefault seccomp.
# Nothing is written outside /tmp (an emptyDir in the pod) and the bpffs mount.
USER 0:0
WORKDIR /app
EXPOSE 9890
# The launcher passes /app/jvm.options (heap, GC, exit on OutOfMemoryError, ...) and /app/app.aot.
ENTRYPOINT ["/app/l2-announcer"]
