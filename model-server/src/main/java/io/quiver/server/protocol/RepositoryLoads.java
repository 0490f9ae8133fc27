package io.quiver.server.protocol;

import io.quiver.common.error.BadRequestException;
import io.quiver.server.serving.LoadFailure;
import io.quiver.server.serving.ModelLoading;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The model repository extension's load, as REST and gRPC both serve it: every version of a model
 * read from {@code <repository>/<name>/}. Triton's load parameters that would make the server load
 * something other than the repository's files are refused: ignoring them would serve something
 * else than asked.
 */
public final class RepositoryLoads {
    private static final String CONFIG_PARAMETER = "config";
    private static final String FILE_PARAMETER_PREFIX = "file:";

    private RepositoryLoads() {
    }

    /** Loads (or reloads) {@code name}, given the names of the request's load parameters. */
    public static void load(ModelLoading loading, String name, Collection<String> parameters) {
        for (String parameter : parameters) {
            if (parameter.equals(CONFIG_PARAMETER) || parameter.startsWith(FILE_PARAMETER_PREFIX)) {
                throw new BadRequestException("load parameter '" + parameter + "' is not supported: models load "
                        + "only from the repository, with the configuration read from their files");
            }
        }
        List<LoadFailure> failed = loading.loadFromRepository(name);
        if (!failed.isEmpty()) {
            throw new BadRequestException("failed to load '" + name + "': " + failed.stream()
                    .map(LoadFailure::toString).collect(Collectors.joining("; ")));
        }
    }
}
