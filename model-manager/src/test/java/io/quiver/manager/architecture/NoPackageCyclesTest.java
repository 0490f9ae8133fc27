package io.quiver.manager.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.manager.registry.ServiceRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The manager's packages depend on each other in one direction only, so each can be read, tested
 * and changed with what it uses and nothing that uses it. The dependencies are read from the
 * compiled classes: every type a class names (fields, signatures, calls, constants) stands in its
 * constant pool as {@code io/quiver/manager/<package>/...}.
 */
class NoPackageCyclesTest {
    private static final String ROOT = "io/quiver/manager/";
    private static final Pattern REFERENCE = Pattern.compile(Pattern.quote(ROOT) + "([a-z0-9_]+)/");

    @Test
    void noPackageDependsOnItselfThroughOthers() throws URISyntaxException {
        Path classes = Path.of(ServiceRegistry.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(ROOT);
        Map<String, Set<String>> uses = dependencies(classes);
        assertEquals(List.of(), cycles(uses), "package cycles in the manager; dependencies: " + uses);
    }

    /** For each top-level package below io.quiver.manager, the others its classes name. */
    private static Map<String, Set<String>> dependencies(Path classes) {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(file -> {
                Path relative = classes.relativize(file);
                if (relative.getNameCount() < 2) {
                    return;
                }
                String from = relative.getName(0).toString();
                Set<String> used = uses.computeIfAbsent(from, p -> new TreeSet<>());
                Matcher matcher = REFERENCE.matcher(read(file));
                while (matcher.find()) {
                    if (!matcher.group(1).equals(from)) {
                        used.add(matcher.group(1));
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return uses;
    }

    /** The constant pool's names are (modified) UTF-8, which Latin-1 decoding leaves matchable. */
    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each cycle once, as the path from its alphabetically first package back to it. */
    private static List<String> cycles(Map<String, Set<String>> uses) {
        Set<String> found = new TreeSet<>();
        for (String start : uses.keySet()) {
            walk(start, start, new ArrayList<>(List.of(start)), uses, found);
        }
        return List.copyOf(found);
    }

    private static void walk(String start, String at, List<String> path, Map<String, Set<String>> uses,
                             Set<String> found) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                found.add(String.join(" -> ", path) + " -> " + start);
            } else if (next.compareTo(start) > 0 && !path.contains(next)) {
                path.add(next);
                walk(start, next, path, uses, found);
                path.remove(path.size() - 1);
            }
        }
    }
}
