package io.quiver.server.repository;

import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.ForbiddenException;
import io.quiver.common.error.NotFoundException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps every local read inside the allowed roots: the repository and {@code quiver.allowed-roots}.
 * Paths are compared after resolving symbolic links, so a link cannot lead out of a root.
 */
@ApplicationScoped
public class PathGuard {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,127}");

    private final Path repository;
    private final List<Path> roots;

    PathGuard(ServerConfig config) {
        this.repository = config.repository().toAbsolutePath().normalize();
        List<Path> all = new ArrayList<>();
        all.add(repository);
        config.allowedRoots().ifPresent(extra -> extra.forEach(p -> all.add(p.toAbsolutePath().normalize())));
        this.roots = List.copyOf(all);
    }

    public Path repository() {
        return repository;
    }

    /** Model names and versions become directory names, so they are held to a safe alphabet. */
    public static String checkName(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new BadRequestException(what + " is required");
        }
        if (!NAME.matcher(value).matches() || value.contains("..")) {
            throw new BadRequestException(what + " '" + abbreviate(value) + "' may hold only letters, digits, "
                    + "'_', '-' and '.', must start with a letter or digit, and be at most 128 characters");
        }
        return value;
    }

    /**
     * Resolves a client-given path (absolute, or relative to the repository) to its real location,
     * refusing {@code ..} and anything outside the roots.
     */
    public Path resolve(String given) {
        if (given.isBlank()) {
            throw new BadRequestException("model path is empty");
        }
        Path raw;
        try {
            raw = Path.of(given);
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadRequestException("'" + abbreviate(given) + "' is not a valid path");
        }
        for (Path part : raw) {
            if (part.toString().equals("..")) {
                throw new BadRequestException("model path '" + abbreviate(given) + "' must not contain '..'");
            }
        }
        Path absolute = raw.isAbsolute() ? raw.normalize() : repository.resolve(raw).normalize();
        return requireInside(absolute, given);
    }

    /** The real path of {@code path}, which must exist and lie inside a root. */
    public Path requireInside(Path path, String shownAs) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no model at '" + abbreviate(shownAs) + "'");
        } catch (IOException e) {
            throw new BadRequestException("cannot read '" + abbreviate(shownAs) + "': " + e.getMessage());
        }
        for (Path root : roots) {
            if (Files.exists(root)) {
                try {
                    if (real.startsWith(root.toRealPath())) {
                        return real;
                    }
                } catch (IOException e) {
                    // An unreadable root allows nothing.
                }
            }
        }
        throw new ForbiddenException("'" + abbreviate(shownAs) + "' is outside the allowed model roots "
                + "(the repository and quiver.allowed-roots)");
    }

    /** A value as error messages show it: at most 200 characters. */
    public static String abbreviate(String value) {
        return value.length() <= 200 ? value : value.substring(0, 200) + "...";
    }
}
