package io.quiver.manager.deployments;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** What crosses the wire on the deployment API of reference document 000. */
public final class DeploymentMessages {
    private DeploymentMessages() {
    }

    /** {@code GET /get_model_list}. */
    @RegisterForReflection
    public record ModelList(String registry, List<String> models) {
    }

    /** {@code GET /get_model_version_list/{model_name}}. */
    @RegisterForReflection
    public record VersionList(String modelName, List<String> versions) {
    }

    /**
     * One deployment: its name ({@code my_model-1}), where its model-server listens ({@code url},
     * {@code port}; none once failed), the manager path that reaches it ({@code route}), its
     * {@code state} ({@code starting}, {@code running}, {@code restarting}, {@code failed},
     * {@code undeployed}), the crashes restarted so far, its process id (local processes only), why
     * it failed, and its log file (on Kubernetes, the {@code kubectl logs} command that shows it).
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeploymentView(String name, String modelName, String version, String url, Integer port,
                                 String state, String route, int restarts, Long pid, String reason, String log) {
    }

    /** {@code GET /get_deployed_models}. */
    @RegisterForReflection
    public record DeploymentList(List<DeploymentView> deployments) {
    }
}
