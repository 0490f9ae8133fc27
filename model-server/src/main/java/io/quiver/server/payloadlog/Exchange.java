package io.quiver.server.payloadlog;

/**
 * What a protocol knows of one inference call that the inference path does not: which protocol it
 * came by, its request id, and the request body as the client sent it.
 *
 * @param body the body as JSON (a Jackson tree or a record Jackson writes); null where there is no
 *             JSON body (gRPC), in which case the decoded input tensors are logged instead
 * @param warmup   whether it is one of the model-server's own warm-up requests
 *                 ({@link io.quiver.server.warmup.RequestPathWarmup}), which count in no metric,
 *                 statistic or payload log
 */
public record Exchange(Protocol protocol, String requestId, Object body, boolean warmup) {

    /** A client's call. */
    public Exchange(Protocol protocol, String requestId, Object body) {
        this(protocol, requestId, body, false);
    }

    /** The wire protocols, by the name a record carries. */
    public enum Protocol {
        /** The Open Inference Protocol over REST, JSON or binary tensor data. */
        V2_REST("v2-rest"),
        /** The Open Inference Protocol over gRPC. */
        V2_GRPC("v2-grpc"),
        /** Reference document 002's {@code /v1/infer}. */
        V1("v1"),
        /** Reference document 003's {@code /predict}. */
        PREDICT("predict"),
        /** Reference document 004's {@code /predictions/{name}}. */
        PREDICTIONS("predictions"),
        /** MLflow's {@code /invocations}. */
        MLFLOW("mlflow");

        private final String label;

        Protocol(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
