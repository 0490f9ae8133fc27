package io.quiver.manager.experiments;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON summary of an experiment: for each variant its weight, share of the weights, requests,
 * errors and latency percentiles; for each shadow also its drops and agreement with the primary.
 */
@ApplicationScoped
public class ExperimentSummary {
    private final ExperimentMetrics metrics;

    ExperimentSummary(ExperimentMetrics metrics) {
        this.metrics = metrics;
    }

    Map<String, Object> of(Experiment experiment) {
        long total = experiment.variants().stream().mapToLong(Variant::weight).sum();
        List<Map<String, Object>> variants = new ArrayList<>();
        for (Variant variant : experiment.variants()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", variant.name());
            row.put("weight", variant.weight());
            row.put("share", (double) variant.weight() / total);
            row.putAll(metrics.figures(experiment.name(), variant.name(), ExperimentMetrics.PRIMARY));
            variants.add(row);
        }
        List<Map<String, Object>> shadows = new ArrayList<>();
        for (Shadow shadow : experiment.shadows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", shadow.name());
            row.put("percent", shadow.percent());
            row.putAll(metrics.figures(experiment.name(), shadow.name(), ExperimentMetrics.SHADOW));
            shadows.add(row);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", experiment.name());
        summary.put("variants", variants);
        summary.put("shadow", shadows);
        return summary;
    }
}
