package io.quiver.server.payloadlog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.inference.TensorValues;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A body as a record holds it: JSON with the configured fields redacted, cut at a byte cap. Writing
 * stops soon after the cap, so a sampled request pays for at most about that many bytes whatever
 * the size of its body. Raw tensor bytes (gRPC's {@code raw_input_contents}) are summarised by
 * their size, as the binary tensor extension's {@code binary_data_size} does, not encoded.
 */
final class BodyWriter {
    static final String REDACTED = "[redacted]";
    /** Elements written between two looks at the cap. */
    private static final int CHECK_EVERY = 64;

    /** What a record holds of one body: the whole JSON, or its first bytes when {@code truncated}. */
    record Body(String json, boolean truncated) {
    }

    private final ObjectMapper mapper;
    private final Set<String> redacted;
    private final int cap;

    BodyWriter(ObjectMapper mapper, Set<String> redacted, int cap) {
        this.mapper = mapper;
        this.redacted = redacted;
        this.cap = cap;
    }

    /** A body the client sent as JSON: a Jackson tree, or a record Jackson writes. */
    Body json(Object body) {
        JsonNode tree = body instanceof JsonNode node ? node : mapper.valueToTree(body);
        return write(g -> tree(g, tree));
    }

    /** The decoded inputs, for a protocol without a JSON body, in the Open Inference Protocol's shape. */
    Body inputs(InferenceRequest request) {
        return write(g -> {
            g.writeStartObject();
            tensors(g, "inputs", request.inputs());
            if (!request.outputs().isEmpty()) {
                g.writeArrayFieldStart("outputs");
                for (String name : request.outputs()) {
                    g.writeStartObject();
                    g.writeStringField("name", name);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    /** A model's outputs in the Open Inference Protocol's shape, whichever protocol answers with them. */
    Body outputs(String model, String version, List<Tensor> outputs) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", version);
            tensors(g, "outputs", outputs);
            g.writeEndObject();
        });
    }

    private interface Writing {
        void to(JsonGenerator g) throws IOException;
    }

    private Body write(Writing writing) {
        CappedBytes out = new CappedBytes(cap);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            try {
                writing.to(g);
            } catch (CappedBytes.Full full) {
                // The cap is reached; what was written so far is the record's prefix.
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Body(out.text(), out.over());
    }

    private void tree(JsonGenerator g, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                boolean redactData = redactedName(node.get("name"));
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    g.writeFieldName(field.getKey());
                    if (redacted.contains(field.getKey()) || redactData && field.getKey().equals("data")) {
                        g.writeString(REDACTED);
                    } else {
                        tree(g, field.getValue());
                    }
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                int written = 0;
                for (JsonNode element : node) {
                    tree(g, element);
                    if (++written % CHECK_EVERY == 0) {
                        CappedBytes.check(g);
                    }
                }
                g.writeEndArray();
            }
            default -> g.writeTree(node);
        }
        CappedBytes.check(g);
    }

    private boolean redactedName(JsonNode name) {
        return name != null && name.isTextual() && redacted.contains(name.textValue());
    }

    private void tensors(JsonGenerator g, String field, List<Tensor> tensors) throws IOException {
        g.writeArrayFieldStart(field);
        for (Tensor t : tensors) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("datatype", t.type().name());
            g.writeArrayFieldStart("shape");
            for (long d : t.shape()) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            if (redacted.contains(t.name())) {
                g.writeStringField("data", REDACTED);
            } else if (t.data() instanceof ByteBuffer raw) {
                g.writeObjectFieldStart("parameters");
                g.writeNumberField("binary_data_size", raw.remaining());
                g.writeEndObject();
            } else {
                g.writeArrayFieldStart("data");
                for (int i = 0, n = t.size(); i < n; i++) {
                    element(g, TensorValues.element(t.type(), t.data(), i));
                    if ((i + 1) % CHECK_EVERY == 0) {
                        CappedBytes.check(g);
                    }
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            CappedBytes.check(g);
        }
        g.writeEndArray();
    }

    private static void element(JsonGenerator g, Object value) throws IOException {
        if (value instanceof Float f) {
            g.writeNumber(f);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeString(String.valueOf(value));
        }
    }

    /** Keeps the first {@code cap} bytes written and counts the rest. */
    private static final class CappedBytes extends OutputStream {
        /** Thrown to stop writing once past the cap; no stack trace, it is not an error. */
        static final class Full extends RuntimeException {
            Full() {
                super(null, null, false, false);
            }
        }

        private final byte[] kept;
        private long total;

        CappedBytes(int cap) {
            this.kept = new byte[cap];
        }

        /** Stops the writing once what is written and what the generator still buffers pass the cap. */
        static void check(JsonGenerator g) {
            if (g.getOutputTarget() instanceof CappedBytes out && out.total + g.getOutputBuffered() > out.kept.length) {
                throw new Full();
            }
        }

        @Override
        public void write(int b) {
            if (total < kept.length) {
                kept[(int) total] = (byte) b;
            }
            total++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (total < kept.length) {
                System.arraycopy(b, off, kept, (int) total, (int) Math.min(len, kept.length - total));
            }
            total += len;
        }

        boolean over() {
            return total > kept.length;
        }

        String text() {
            return new String(kept, 0, (int) Math.min(total, kept.length), StandardCharsets.UTF_8);
        }
    }
}
