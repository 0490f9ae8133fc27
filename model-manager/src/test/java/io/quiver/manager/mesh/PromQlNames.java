package io.quiver.manager.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, so that a dashboard or an alert rule can be checked
 * against what the services export. Function and aggregation names (an identifier followed by
 * {@code (}), keywords, label names (inside {@code {...}} or a {@code by (...)} list), durations and
 * Grafana variables are not metric names.
 */
final class PromQlNames {
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LISTS = Pattern.compile(
            "(?i)\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern VARIABLES = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    /** An identifier not inside a number or a variable, and whether a call's parenthesis follows it. */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.$])([a-zA-Z_:][\\w:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");

    private PromQlNames() {
    }

    static Set<String> of(String expression) {
        String rest = STRINGS.matcher(expression).replaceAll("\"\"");
        rest = MATCHERS.matcher(rest).replaceAll("{}");
        rest = RANGES.matcher(rest).replaceAll("[]");
        rest = LABEL_LISTS.matcher(rest).replaceAll(" ");
        rest = VARIABLES.matcher(rest).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(rest);
        while (m.find()) {
            boolean call = m.group(2) != null;
            if (!call && !KEYWORDS.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * The metric names a Grafana template variable's query reads: {@code label_values(metric, label)}
     * reads {@code metric} (a selector), {@code label_values(label)} none, {@code query_result(expr)}
     * what {@code expr} reads.
     */
    static Set<String> ofVariableQuery(String query) {
        String q = query.strip();
        if (q.startsWith("label_values(") && q.endsWith(")")) {
            String arguments = q.substring("label_values(".length(), q.length() - 1);
            int comma = arguments.lastIndexOf(',');
            return comma < 0 ? Set.of() : of(arguments.substring(0, comma));
        }
        if (q.startsWith("query_result(") && q.endsWith(")")) {
            return of(q.substring("query_result(".length(), q.length() - 1));
        }
        return of(q);
    }

    /**
     * Every PromQL expression of a Grafana dashboard, by where it is: each panel target's
     * {@code expr} (rows' nested panels too) and each query variable's query.
     */
    static Map<String, Set<String>> ofDashboard(JsonNode dashboard) {
        Map<String, Set<String>> byPlace = new LinkedHashMap<>();
        collectPanels(dashboard.path("panels"), byPlace);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                String text = query.isObject() ? query.path("query").asText() : query.asText();
                byPlace.put("variable " + variable.path("name").asText(), ofVariableQuery(text));
            }
        }
        return byPlace;
    }

    private static void collectPanels(JsonNode panels, Map<String, Set<String>> byPlace) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("expr")) {
                    byPlace.put("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                            of(target.path("expr").asText()));
                }
            }
            collectPanels(panel.path("panels"), byPlace);
        }
    }
}
