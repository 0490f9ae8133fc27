package io.quiver.server.payloadlog;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Payload logging's settings; docs/model-server/configuration.md lists them with their defaults. */
@ConfigMapping(prefix = "quiver.payload-log")
public interface PayloadLogConfig {

    /** Off by default: nothing is sampled, rendered or written. On, at least one of file and http.url must be set. */
    @WithDefault("false")
    boolean enabled();

    /** Share of a model's requests logged, 0 to 1, for models neither {@link #sampleRates()} nor their descriptor names. */
    @WithDefault("0.01")
    double sampleRate();

    /**
     * Share logged per model name, 0 to 1: {@code quiver.payload-log.sample-rates.iris=1}. Names
     * match ignoring case and the difference between {@code _}, {@code -} and {@code .}, so that
     * {@code QUIVER_PAYLOAD_LOG_SAMPLE_RATES_HOUSE_PRICE} names house_price.
     */
    Map<String, Double> sampleRates();

    /** Most bytes of JSON kept of each body, request and response; a longer one is cut and marked truncated. */
    @WithDefault("16K")
    MemorySize maxBodySize();

    /**
     * JSON field names whose values are written as {@code "[redacted]"}, wherever they appear in a
     * body; a tensor with one of these names has its data redacted.
     */
    Optional<Set<String>> redactedFields();

    /** The CloudEvents {@code source} of every record. */
    @WithDefault("/quiver/model-server")
    String source();

    /** Records waiting for each sink; beyond this a record is dropped and counted, never waited for. */
    @WithDefault("1024")
    int bufferCapacity();

    /** The JSON-lines file records are appended to, one CloudEvent a line; none when absent. */
    Optional<Path> file();

    Http http();

    /** The collector records are POSTed to in batches, as {@code application/cloudevents-batch+json}. */
    interface Http {
        /** Where batches are POSTed; none when absent. */
        Optional<URI> url();

        /** Most records in one POST. */
        @WithDefault("100")
        int batchSize();

        /** Longest a record waits for its batch to fill before the batch is sent as it is. */
        @WithDefault("5s")
        Duration flushInterval();

        /** Longest one POST may take, connecting included; a batch not answered by then is counted failed. */
        @WithDefault("5s")
        Duration timeout();
    }
}
