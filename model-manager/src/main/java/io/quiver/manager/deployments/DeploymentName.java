package io.quiver.manager.deployments;

import io.quiver.common.error.BadRequestException;
import java.util.regex.Pattern;

/**
 * A deployment's name, {@code <model>-<version>} as reference document 000 writes it
 * ({@code my_model-1}). Model names may hold hyphens, so the version is what follows the last one.
 */
public record DeploymentName(String model, String version) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,127}");

    public DeploymentName {
        require("model_name", model);
        require("version", version);
        if (version.contains("-")) {
            throw new BadRequestException("version '" + version + "' may not contain '-': the deployment name "
                    + model + "-" + version + " could not be told apart from another");
        }
    }

    /** Parses {@code my_model-1}; 400 naming the problem when it is not {@code <model>-<version>}. */
    public static DeploymentName parse(String modelNameAndVersion) {
        int dash = modelNameAndVersion.lastIndexOf('-');
        if (dash <= 0 || dash == modelNameAndVersion.length() - 1) {
            throw new BadRequestException("'" + modelNameAndVersion + "' is not <model_name>-<version>, e.g. my_model-1");
        }
        return new DeploymentName(modelNameAndVersion.substring(0, dash), modelNameAndVersion.substring(dash + 1));
    }

    /** Whether {@code part} may be a model name or version: no path separators, no leading dot. */
    static boolean isName(String part) {
        return part != null && PART.matcher(part).matches() && !part.startsWith(".");
    }

    private static void require(String what, String part) {
        if (!isName(part)) {
            throw new BadRequestException(what + " '" + part + "' is not a valid name: use letters, digits, '_', "
                    + "'.' and '-', at most 128, not starting with '.'");
        }
    }

    @Override
    public String toString() {
        return model + "-" + version;
    }
}
