# The model-server in JVM mode. Build context: the repository root, after
#   ./mvnw -DskipTests package
# ONNX Runtime's native library needs glibc, so the base is Temurin's Ubuntu JRE, not Alpine.
FROM eclipse-temurin:25-jre

RUN useradd --system --uid 10001 quiver && mkdir /models && chown quiver /models
WORKDIR /app
# quarkus-run.jar and the lib/ it names on its class path.
COPY --chown=quiver model-server/target/quarkus-app/ ./
COPY --chown=quiver deploy/jvm.options deploy/jvm-22.options ./

USER quiver
# The small-machine JVM settings (deploy/jvm*.options) and two malloc arenas; what they save is in
# docs/benchmarks.md.
# ONNX Runtime 1.29 starts a telemetry client that uploads over HTTPS unless told not to.
ENV QUIVER_REPOSITORY=/models \
    MALLOC_ARENA_MAX=2 \
    ORT_DISABLE_TELEMETRY=1 \
    JAVA_OPTS="@/app/jvm.options @/app/jvm-22.options"
# HTTP, and gRPC on its own port (quiver.grpc.port, docs/model-server/grpc.md).
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=2s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/quarkus-run.jar"]
