package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The metric names read out of PromQL, on which MeshMetricsIT's check of the dashboard rests. */
class PromQlNamesTest {

    @Test
    void aRateOfASelectorReadsItsMetricAndNotItsLabelsOrRange() {
        assertEquals(Set.of("quiver_inference_seconds_count"), PromQlNames.of(
                "sum by (model, version, outcome) (rate(quiver_inference_seconds_count{model=~\"$model\", "
                        + "instance=~\"$instance\"}[$__rate_interval]))"));
    }

    @Test
    void bothSidesOfABinaryOperationAndBareNamesCount() {
        assertEquals(Set.of("quiver_cache_memory_used_bytes", "quiver_cache_memory_budget_bytes", "process_cpu_usage"),
                PromQlNames.of("quiver_cache_memory_used_bytes / quiver_cache_memory_budget_bytes > 0.9 "
                        + "or on (instance) group_left (job) process_cpu_usage"));
    }

    @Test
    void functionsKeywordsNumbersAndQuotedLabelNamesAreNotMetrics() {
        assertEquals(Set.of("http_server_requests_seconds_bucket", "up"), PromQlNames.of(
                "histogram_quantile(0.99, sum(rate(http_server_requests_seconds_bucket[5m] offset 1h)) by (le)) "
                        + "> bool 1e3 unless label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\") and vector(1) > Inf"));
        assertEquals(Set.of("a_total"), PromQlNames.of("max_over_time(rate(a_total[5m])[30m:1m])"));
    }

    @Test
    void aNameThatIsAlsoAFunctionNameIsAMetricWhenNoCallFollows() {
        assertEquals(Set.of("rate"), PromQlNames.of("sum(rate)"));
    }

    @Test
    void variableQueriesReadTheMetricTheyListLabelsOf() {
        assertEquals(Set.of("quiver_manager_requests_seconds_count"),
                PromQlNames.ofVariableQuery("label_values(quiver_manager_requests_seconds_count{outcome=\"ok\"}, model_type)"));
        assertEquals(Set.of(), PromQlNames.ofVariableQuery("label_values(instance)"));
        assertEquals(Set.of("up"), PromQlNames.ofVariableQuery("query_result(count by (job) (up))"));
    }

    @Test
    void aDashboardsExpressionsAreFoundInRowsAndVariables() throws Exception {
        Map<String, Set<String>> found = PromQlNames.ofDashboard(new ObjectMapper().readTree("""
                {"panels": [{"type": "row", "title": "r", "panels": [
                   {"title": "inner", "targets": [{"refId": "A", "expr": "rate(b_total[1m])"}]}]},
                 {"title": "outer", "targets": [{"refId": "B", "expr": "c"}]}],
                 "templating": {"list": [{"name": "m", "type": "query", "query": {"query": "label_values(d, model)"}},
                                         {"name": "ds", "type": "datasource", "query": "prometheus"}]}}
                """));
        assertEquals(Map.of("panel 'inner' A", Set.of("b_total"), "panel 'outer' B", Set.of("c"), "variable m", Set.of("d")),
                found);
    }
}
