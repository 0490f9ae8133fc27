package io.quiver.manager.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a registration (the API's body, or an entry of the services file), naming whatever is wrong. */
public final class RegistrationParser {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,127}");
    private static final Set<String> FIELDS = Set.of("service_id", "service_url", "model_type", "model_types",
            "capabilities", "models", "max_concurrent_requests", "timeout", "weight", "lease_seconds");

    private RegistrationParser() {
    }

    /** @param id the id when it comes from outside the body (the services file's key), else null */
    public static ServiceRecord parse(String id, JsonNode body) {
        if (!body.isObject()) {
            throw new BadRequestException("a registration must be a JSON object, got " + JsonBodies.kind(body));
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                throw new BadRequestException("unknown field '" + field + "'; a registration takes " + FIELDS.stream().sorted().toList());
            }
        });
        String serviceId = id != null ? id : JsonBodies.text(body, "service_id");
        if (!ID.matcher(serviceId).matches()) {
            throw new BadRequestException("service_id '" + serviceId + "' may hold only letters, digits, '_', '-', '.' "
                    + "and ':', start with a letter or digit, and be at most 128 characters");
        }
        String url = url(JsonBodies.text(body, "service_url"));
        String modelType = JsonBodies.text(body, "model_type");
        if (modelType.isBlank()) {
            throw new BadRequestException("model_type must not be empty");
        }
        Set<String> types = new LinkedHashSet<>(strings(body, "model_types"));
        List<String> capabilities = body.has("capabilities") ? strings(body, "capabilities") : List.of("prediction");
        List<ServiceRecord.ServedModel> models = models(body.get("models"));
        addModelNames(types, models);
        return new ServiceRecord(serviceId, url, modelType, List.copyOf(types), capabilities, models,
                positive(body, "max_concurrent_requests"), positiveNumber(body, "timeout"), weight(body),
                positive(body, "lease_seconds"), Instant.now());
    }

    /** What a heartbeat reports: the types and models the service serves now. */
    public record Reported(List<String> types, List<ServiceRecord.ServedModel> models) {
    }

    public static Reported reported(JsonNode heartbeat) {
        Set<String> types = new LinkedHashSet<>(strings(heartbeat, "model_types"));
        List<ServiceRecord.ServedModel> models = models(heartbeat.get("models"));
        addModelNames(types, models);
        return new Reported(List.copyOf(types), models);
    }

    private static void addModelNames(Set<String> types, List<ServiceRecord.ServedModel> models) {
        models.forEach(m -> {
            types.add(m.name());
            if (m.modelType() != null) {
                types.add(m.modelType());
            }
        });
    }

    private static String url(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new BadRequestException("service_url '" + text + "' must be an http or https URL");
            }
            if (uri.getHost() == null) {
                throw new BadRequestException("service_url '" + text + "' has no host");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new BadRequestException("service_url '" + text + "' must not have a query or fragment");
            }
            return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        } catch (URISyntaxException e) {
            throw new BadRequestException("service_url '" + text + "' is not a valid URL: " + e.getReason());
        }
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new BadRequestException("'" + field + "' must be an array of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.textValue().isBlank()) {
                throw new BadRequestException("'" + field + "' must hold non-empty strings, got " + item);
            }
            values.add(item.textValue());
        }
        return List.copyOf(values);
    }

    private static List<ServiceRecord.ServedModel> models(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new BadRequestException("'models' must be an array of {\"name\", \"version\", \"model_type\"}");
        }
        List<ServiceRecord.ServedModel> models = new ArrayList<>();
        for (JsonNode model : node) {
            if (!model.isObject()) {
                throw new BadRequestException("each of 'models' must be an object with a 'name'");
            }
            models.add(new ServiceRecord.ServedModel(JsonBodies.text(model, "name"),
                    JsonBodies.optionalText(model, "version"), JsonBodies.optionalText(model, "model_type")));
        }
        return List.copyOf(models);
    }

    private static Integer positive(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            throw new BadRequestException("'" + field + "' must be a whole number of at least 1, got " + node);
        }
        return node.intValue();
    }

    private static Double positiveNumber(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber() || node.doubleValue() <= 0 || node.doubleValue() > 86_400) {
            throw new BadRequestException("'" + field + "' must be a number of seconds above 0 and at most 86400, got " + node);
        }
        return node.doubleValue();
    }

    private static Integer weight(JsonNode body) {
        JsonNode node = body.get("weight");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
            throw new BadRequestException("'weight' must be a whole number of at least 0, got " + node);
        }
        return node.intValue();
    }
}
