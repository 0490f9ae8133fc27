package io.quiver.manager.deployments;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A deployment as the manager's store keeps it, to find its process again after a restart. */
@RegisterForReflection
public record StoredDeployment(@JsonProperty("model_name") String modelName, String version, int port, long pid,
                               @JsonProperty("grpc_port") Integer grpcPort) {

    /**
     * Where gRPC was served: absent from the records of a manager older than gRPC's own port, whose
     * model-servers served it on their HTTP port.
     */
    int grpcPortOrHttp() {
        return grpcPort == null ? port : grpcPort;
    }

    DeploymentName name() {
        return new DeploymentName(modelName, version);
    }
}
