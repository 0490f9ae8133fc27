package io.quiver.server.payloadlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a record keeps of a body: redacted fields and tensors, cut at the cap, raw bytes by their size. */
class BodyWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRedactedFieldIsReplacedAtAnyDepthAndATensorOfThatNameLosesItsData() throws Exception {
        BodyWriter writer = new BodyWriter(JSON, Set.of("ssn", "salary"), 4096);
        JsonNode body = JSON.readTree("""
                {"ssn": "123-45-6789", "rows": [{"ssn": {"nested": 1}, "zip": "12345"}],
                 "inputs": [{"name": "salary", "datatype": "FP32", "shape": [1], "data": [9.5]},
                            {"name": "zip", "datatype": "FP32", "shape": [1], "data": [1.0]}]}""");
        BodyWriter.Body written = writer.json(body);
        assertFalse(written.truncated());
        JsonNode kept = JSON.readTree(written.json());
        assertEquals("[redacted]", kept.path("ssn").asText());
        assertEquals("[redacted]", kept.path("rows").get(0).path("ssn").asText());
        assertEquals("12345", kept.path("rows").get(0).path("zip").asText());
        assertEquals("[redacted]", kept.path("inputs").get(0).path("data").asText());
        assertEquals(1.0, kept.path("inputs").get(1).path("data").get(0).asDouble());
        assertEquals("123-45-6789", body.path("ssn").asText(), "the client's body is left as it was");
    }

    @Test
    void aHugeTensorIsCutNearTheCapWithoutWritingItAll() {
        BodyWriter writer = new BodyWriter(JSON, Set.of(), 1000);
        float[] values = new float[5_000_000];
        BodyWriter.Body written = writer.outputs("m", "1", List.of(new Tensor("y", DataType.FP32,
                new long[] {values.length}, values)));
        assertTrue(written.truncated());
        assertEquals(1000, written.json().getBytes(StandardCharsets.UTF_8).length);
        assertTrue(written.json().startsWith("{\"model_name\":\"m\",\"model_version\":\"1\",\"outputs\":[{\"name\":\"y\""));
    }

    @Test
    void rawTensorBytesAreLoggedByTheirSize() throws Exception {
        BodyWriter writer = new BodyWriter(JSON, Set.of(), 4096);
        Tensor raw = Tensor.raw("image", DataType.FP32, new long[] {1, 4}, ByteBuffer.allocate(16));
        JsonNode kept = JSON.readTree(writer.inputs(InferenceRequest.of(List.of(raw))).json());
        JsonNode input = kept.path("inputs").get(0);
        assertEquals(16, input.path("parameters").path("binary_data_size").asInt());
        assertTrue(input.path("data").isMissingNode());
        assertEquals(4, input.path("shape").get(1).asInt());
    }
}
