package io.quiver.common.mlflow;

import io.quiver.common.error.BadRequestException;
import java.util.Optional;

/**
 * A version of a registered MLflow model as MLflow writes it: {@code models:/<name>/<version>},
 * {@code models:/<name>/latest} (its highest version) or {@code models:/<name>@<alias>}. Stages
 * ({@code models:/<name>/Production}), which MLflow has deprecated, are not taken.
 *
 * @param version the version number or {@code latest}, when the URI names one
 * @param alias   the alias, when the URI names one instead
 */
public record ModelUri(String name, Optional<String> version, Optional<String> alias) {
    public static final String SCHEME = "models";
    private static final String PREFIX = "models:/";
    public static final String LATEST = "latest";
    private static final String FORMS = "models:/<name>/<version>, models:/<name>/latest or models:/<name>@<alias>";

    public static boolean isModelUri(String location) {
        return location != null && location.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /** @throws BadRequestException naming the forms taken, when {@code uri} is neither */
    public static ModelUri parse(String uri) {
        if (!isModelUri(uri)) {
            throw new BadRequestException("'" + uri + "' is not an MLflow model URI: " + FORMS);
        }
        String rest = uri.substring(PREFIX.length());
        while (rest.startsWith("/")) {
            rest = rest.substring(1); // models:///name/1, as some MLflow clients write it
        }
        int slash = rest.lastIndexOf('/');
        int at = rest.lastIndexOf('@');
        String last = slash < 0 ? "" : rest.substring(slash + 1);
        if (slash > 0 && at < 0 && (last.equals(LATEST) || !last.isEmpty() && last.chars().allMatch(Character::isDigit))) {
            return new ModelUri(rest.substring(0, slash), Optional.of(rest.substring(slash + 1)), Optional.empty());
        }
        if (at > 0 && slash < 0 && at < rest.length() - 1) {
            return new ModelUri(rest.substring(0, at), Optional.empty(), Optional.of(rest.substring(at + 1)));
        }
        throw new BadRequestException("'" + uri + "' is not an MLflow model URI: " + FORMS
                + " (a version is a number; stages are not taken)");
    }

    @Override
    public String toString() {
        return PREFIX + name + version.map(v -> "/" + v).orElse("") + alias.map(a -> "@" + a).orElse("");
    }
}
