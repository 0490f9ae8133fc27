package io.quiver.server.payloadlog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.common.error.ApiException;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.statistics.RequestTimes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Samples inference calls per model and turns each sampled one into a record, a CloudEvent of type
 * {@value #TYPE} whose data holds the model, version, request id, protocol, outcome, timings and
 * both bodies, handed to each sink's buffer. The record is rendered on the thread that completes
 * the call, bounded by {@code max-body-size} per body; writing and sending are the sinks' threads'.
 */
@ApplicationScoped
public class PayloadLog {
    static final String TYPE = "io.quiver.inference.payload";
    private static final Logger LOG = Logger.getLogger(PayloadLog.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final PayloadLogConfig config;
    private final ObjectMapper mapper;
    private final BodyWriter bodies;
    private final List<Sink> sinks = new ArrayList<>();
    /** {@code sample-rates} by {@link #key}; and each model name's, looked up once per name ({@link #UNSET} for none). */
    private final Map<String, Double> configuredRates = new HashMap<>();
    private final Map<String, Double> rates = new ConcurrentHashMap<>();
    private static final double UNSET = -1;

    PayloadLog(PayloadLogConfig config, ObjectMapper mapper, MeterRegistry meters) {
        this.config = config;
        this.mapper = mapper;
        this.bodies = new BodyWriter(mapper, config.redactedFields().orElse(Set.of()),
                (int) Math.min(Integer.MAX_VALUE, config.maxBodySize().asLongValue()));
        config.sampleRates().forEach((model, rate) -> configuredRates.put(key(model), rate));
        if (config.enabled()) {
            check(config);
            config.file().ifPresent(file -> sinks.add(new FileSink(file, config.bufferCapacity(), meters)));
            config.http().url().ifPresent(url -> sinks.add(new HttpSink(config.http(), url, config.bufferCapacity(), meters)));
        }
    }

    /** A setting that cannot work stops the start with what to change, rather than logging nothing silently. */
    private static void check(PayloadLogConfig config) {
        if (config.file().isEmpty() && config.http().url().isEmpty()) {
            throw new IllegalArgumentException("quiver.payload-log.enabled is true but neither quiver.payload-log.file "
                    + "nor quiver.payload-log.http.url is set: payload records would go nowhere");
        }
        checkRate("quiver.payload-log.sample-rate", config.sampleRate());
        config.sampleRates().forEach((model, rate) -> checkRate("quiver.payload-log.sample-rates." + model, rate));
        if (config.bufferCapacity() < 1 || config.http().batchSize() < 1) {
            throw new IllegalArgumentException("quiver.payload-log.buffer-capacity and quiver.payload-log.http.batch-size "
                    + "must be at least 1");
        }
    }

    private static void checkRate(String property, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(property + " must be between 0 and 1, got " + rate);
        }
    }

    void onStart(@Observes StartupEvent event) {
        sinks.forEach(Sink::start);
        if (!sinks.isEmpty()) {
            LOG.infof("payload log: sampling %s of each model's requests (per model: %s) to %s", config.sampleRate(),
                    config.sampleRates(), sinks.stream().map(Sink::target).toList());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        sinks.forEach(sink -> sink.stop(STOP_GRACE));
    }

    /**
     * A capture for this call when it is sampled, else null: an unsampled call costs one random number.
     * The model's rate is the server's {@code sample-rates} entry for it, else its descriptor's
     * ({@code descriptorRate}, null when it has none), else {@code sample-rate}.
     */
    public Capture sample(Exchange exchange, String model, String version, Double descriptorRate) {
        if (sinks.isEmpty()) {
            return null;
        }
        double configured = rates.computeIfAbsent(model, name -> configuredRates.getOrDefault(key(name), UNSET));
        double rate = configured != UNSET ? configured : descriptorRate != null ? descriptorRate : config.sampleRate();
        return rate > 0 && ThreadLocalRandom.current().nextDouble() < rate ? new Capture(exchange, model, version) : null;
    }

    /**
     * A model name as a {@code sample-rates} key matches it: ignoring case and which of {@code _},
     * {@code -} and {@code .} separate its words, since an environment variable
     * ({@code QUIVER_PAYLOAD_LOG_SAMPLE_RATES_HOUSE_PRICE}) cannot say which it was.
     */
    static String key(String model) {
        return model.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
    }

    /** One sampled call, finished once. */
    public final class Capture {
        private final Exchange exchange;
        private final String model;
        private final String version;
        private final Instant received = Instant.now();

        private Capture(Exchange exchange, String model, String version) {
            this.exchange = exchange;
            this.model = model;
            this.version = version;
        }

        /**
         * Writes the record. Never throws: a record that cannot be rendered is logged and skipped,
         * the call it describes is not failed by it.
         *
         * @param request the decoded request, or null when decoding failed
         * @param outputs the outputs, or null when the call failed
         * @param times   where the call spent its time, or null when it never queued
         */
        public void finished(InferenceRequest request, List<Tensor> outputs, Throwable failure, String outcome,
                             long tookNanos, RequestTimes times) {
            try {
                byte[] record = render(request, outputs, failure, outcome, tookNanos, times);
                for (Sink sink : sinks) {
                    sink.offer(record);
                }
            } catch (RuntimeException | IOException e) {
                LOG.warnf(e, "payload log: the record of request %s to %s/%s could not be written", exchange.requestId(),
                        model, version);
            }
        }

        private byte[] render(InferenceRequest request, List<Tensor> outputs, Throwable failure, String outcome,
                              long tookNanos, RequestTimes times) throws IOException {
            BodyWriter.Body requestBody = exchange.body() != null ? bodies.json(exchange.body())
                    : request != null ? bodies.inputs(request) : null;
            BodyWriter.Body responseBody = outputs != null ? bodies.outputs(model, version, outputs) : null;
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("specversion", "1.0");
                g.writeStringField("id", eventId());
                g.writeStringField("source", config.source());
                g.writeStringField("type", TYPE);
                g.writeStringField("subject", model + "/" + version);
                g.writeStringField("time", received.toString());
                g.writeStringField("datacontenttype", "application/json");
                g.writeObjectFieldStart("data");
                g.writeStringField("model", model);
                g.writeStringField("version", version);
                g.writeStringField("request_id", exchange.requestId());
                g.writeStringField("protocol", exchange.protocol().label());
                g.writeStringField("outcome", outcome);
                g.writeNumberField("status", status(cause));
                if (cause != null) {
                    g.writeStringField("error", cause instanceof ApiException ? cause.getMessage() : cause.toString());
                }
                g.writeNumberField("latency_ms", millis(tookNanos));
                if (times != null) {
                    g.writeNumberField("queue_ms", millis(times.queueNanos()));
                    g.writeNumberField("compute_ms", millis(times.computeNanos()));
                }
                body(g, "request", requestBody);
                body(g, "response", responseBody);
                g.writeEndObject();
                g.writeEndObject();
            }
            return out.toByteArray();
        }
    }

    private static void body(JsonGenerator g, String field, BodyWriter.Body body) throws IOException {
        g.writeFieldName(field);
        if (body == null) {
            g.writeNull();
        } else if (body.truncated()) {
            // Cut JSON is not JSON: the prefix goes in as a string, and the record says so.
            g.writeString(body.json());
        } else {
            g.writeRawValue(body.json());
        }
        g.writeBooleanField(field + "_truncated", body != null && body.truncated());
    }

    private static int status(Throwable cause) {
        if (cause == null) {
            return 200;
        }
        return cause instanceof ApiException api ? api.status() : 500;
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    /** Unique per record, as CloudEvents asks of id and source together; request ids are the client's to choose. */
    private static String eventId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }
}
