package io.quiver.manager.registry;

import io.quiver.common.error.BadRequestException;
import io.quiver.manager.registry.ServiceRecord.ServedModel;
import jakarta.validation.Valid;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What a heartbeat may report: the types and models the service serves now. */
@Schema(description = "What the service serves now; without a body, a heartbeat only renews the lease")
public record Heartbeat(List<String> modelTypes, List<@Valid ServedModel> models) {
    public Heartbeat {
        modelTypes = names("model_types", modelTypes);
        models = models == null ? List.of() : List.copyOf(models);
    }

    /** The reported types, with the models' names and types among them. */
    public List<String> types() {
        Set<String> types = new LinkedHashSet<>(modelTypes);
        addModelNames(types, models);
        return List.copyOf(types);
    }

    static void addModelNames(Set<String> types, List<ServiceRecord.ServedModel> models) {
        models.forEach(m -> {
            types.add(m.name());
            if (m.modelType() != null) {
                types.add(m.modelType());
            }
        });
    }

    /** A list of names, none of them null or blank: absent is empty. */
    static List<String> names(String field, List<String> names) {
        if (names == null) {
            return List.of();
        }
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new BadRequestException("'" + field + "' must hold non-empty strings, got "
                        + (name == null ? "null" : "\"" + name + "\""));
            }
        }
        return List.copyOf(names);
    }
}
