package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Combines answers that arrived into one: {@code mean} averages numbers position by position
 * (predictions of the same shape), {@code vote} takes per row the label (or prediction) most answers
 * gave, a tie going to the earliest listed answer. Answers that cannot be combined raise
 * {@link IllegalArgumentException} saying why.
 */
enum Combiner {
    NONE, MEAN, VOTE;

    static Combiner named(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    ObjectNode combine(List<PredictionAnswer> answers) {
        ObjectNode combined = JsonNodeFactory.instance.objectNode();
        combined.put("rule", name().toLowerCase(Locale.ROOT));
        combined.put("answers", answers.size());
        if (this == MEAN) {
            combined.set("predictions", mean(answers));
        } else if (this == VOTE) {
            vote(answers, combined);
        }
        return combined;
    }

    private static JsonNode mean(List<PredictionAnswer> answers) {
        JsonNode[] nodes = answers.stream().map(PredictionAnswer::predictions).toArray(JsonNode[]::new);
        return mean(nodes, "predictions");
    }

    private static JsonNode mean(JsonNode[] nodes, String where) {
        JsonNode first = nodes[0];
        if (first.isNumber()) {
            double sum = 0;
            for (JsonNode node : nodes) {
                if (!node.isNumber()) {
                    throw new IllegalArgumentException(where + " is a number in one answer but not in another");
                }
                sum += node.doubleValue();
            }
            return JsonNodeFactory.instance.numberNode(sum / nodes.length);
        }
        if (!first.isArray()) {
            throw new IllegalArgumentException(where + " holds " + first + ", which is not a number; use vote for labels");
        }
        ArrayNode result = JsonNodeFactory.instance.arrayNode(first.size());
        for (int i = 0; i < first.size(); i++) {
            JsonNode[] column = new JsonNode[nodes.length];
            for (int a = 0; a < nodes.length; a++) {
                if (!nodes[a].isArray() || nodes[a].size() != first.size()) {
                    throw new IllegalArgumentException(where + " differs in shape between answers");
                }
                column[a] = nodes[a].get(i);
            }
            result.add(mean(column, where + "[" + i + "]"));
        }
        return result;
    }

    private static void vote(List<PredictionAnswer> answers, ObjectNode combined) {
        int rows = answers.get(0).predictions().size();
        for (PredictionAnswer answer : answers) {
            if (answer.predictions().size() != rows) {
                throw new IllegalArgumentException("answers have different numbers of rows");
            }
        }
        ArrayNode winners = combined.putArray("predictions");
        ArrayNode support = combined.putArray("support");
        for (int row = 0; row < rows; row++) {
            Map<String, Integer> votes = new LinkedHashMap<>();
            Map<String, JsonNode> values = new LinkedHashMap<>();
            for (PredictionAnswer answer : answers) {
                JsonNode value = answer.vote(row);
                votes.merge(value.toString(), 1, Integer::sum);
                values.putIfAbsent(value.toString(), value);
            }
            String best = null;
            for (Map.Entry<String, Integer> entry : votes.entrySet()) {
                if (best == null || entry.getValue() > votes.get(best)) {
                    best = entry.getKey();
                }
            }
            winners.add(values.get(best));
            support.add((double) votes.get(best) / answers.size());
        }
    }
}
