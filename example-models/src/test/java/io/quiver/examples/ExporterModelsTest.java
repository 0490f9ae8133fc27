package io.quiver.examples;

import static io.quiver.examples.OrtModels.ENVIRONMENT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The exporter repository's layout and headers, and the every-datatype model in ONNX Runtime. */
class ExporterModelsTest {

    @Test
    void writesEveryModelWithADescriptor(@TempDir Path root) throws IOException {
        ExporterModels.writeRepository(root);
        for (String name : ExporterModels.names()) {
            Path version = root.resolve(name).resolve("1");
            assertArrayEquals(ExporterModels.model(name), Files.readAllBytes(version.resolve("model.onnx")), name);
            assertTrue(Files.readString(version.resolve("model.json")).contains("\"description\": \""), name);
        }
        try (var entries = Files.list(root)) {
            assertEquals(ExporterModels.names().size(), entries.count());
        }
    }

    /** What the exporters put in the header: IR 8, opset 13 or later, ai.onnx.ml where its operators are used. */
    @Test
    void headersAndDomainsAreTheExportersOwn() throws IOException {
        for (String name : ExporterModels.names()) {
            ModelProto model = ModelProto.parseFrom(ExporterModels.model(name));
            assertEquals(8, model.getIrVersion(), name);
            Map<String, Long> opsets = model.getOpsetImportList().stream()
                    .collect(Collectors.toMap(OperatorSetIdProto::getDomain, OperatorSetIdProto::getVersion));
            assertTrue(opsets.get("") >= 13, name + " " + opsets);
            for (NodeProto node : model.getGraph().getNodeList()) {
                assertTrue(node.hasDomain(), name + ": " + node.getName() + " has no domain");
                assertTrue(opsets.containsKey(node.getDomain()), name + ": " + node.getDomain() + " not imported");
            }
        }
        assertEquals("skl2onnx", ModelProto.parseFrom(ExporterModels.model(ExporterModels.SKLEARN_FOREST_INT))
                .getProducerName());
        assertEquals(3, mlOpset(ExporterModels.SKLEARN_FOREST_INT));
        assertEquals(1, mlOpset(ExporterModels.SKLEARN_LOGREG_INT));
        assertEquals("pytorch", ModelProto.parseFrom(ExporterModels.model(ExporterModels.TORCH_FP16_MLP))
                .getProducerName());
    }

    private static long mlOpset(String name) throws IOException {
        return ModelProto.parseFrom(ExporterModels.model(name)).getOpsetImportList().stream()
                .filter(o -> o.getDomain().equals("ai.onnx.ml")).findFirst().orElseThrow().getVersion();
    }

    @Test
    void everyDatatypeModelDeclaresEachTypeInAndOut() throws OrtException {
        try (OrtSession session = OrtModels.open(ExporterModels.EVERY_DATATYPE)) {
            List<String> inputs = List.copyOf(session.getInputNames());
            List<String> outputs = List.copyOf(session.getOutputNames());
            assertEquals(ExporterModels.EVERY_TYPE.stream().map(ExporterModels::inputName).toList(), inputs);
            assertEquals(ExporterModels.EVERY_TYPE.stream().map(ExporterModels::outputName).toList(), outputs);
            for (DataType type : ExporterModels.EVERY_TYPE) {
                TensorInfo info = (TensorInfo) session.getInputInfo().get(ExporterModels.inputName(type)).getInfo();
                assertEquals("ONNX_TENSOR_ELEMENT_DATA_TYPE_" + type.name(), info.onnxType.name());
                assertArrayEquals(new long[] {-1, 2}, info.getShape());
            }
        }
    }

    /**
     * Identity returns every bit of every element for each type. ONNX Runtime's Java API cannot
     * make UINT16, UINT32 or UINT64 tensors, so those three reach Identity through a Cast from the
     * signed type of the same width (which keeps the bits); the others are fed directly.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32",
            "INT64", "FLOAT16", "BFLOAT16", "FLOAT", "DOUBLE", "BOOL"})
    void identityKeepsEveryBit(DataType type) throws OrtException {
        assertTrue(ExporterModels.EVERY_TYPE.contains(type));
        int width = switch (type) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16, FLOAT16, BFLOAT16 -> 2;
            case UINT32, INT32, FLOAT -> 4;
            default -> 8;
        };
        OnnxJavaType fed = switch (type) {
            case UINT16 -> OnnxJavaType.INT16;
            case UINT32 -> OnnxJavaType.INT32;
            case UINT64 -> OnnxJavaType.INT64;
            default -> OnnxJavaType.valueOf(type.name()); // the same names for the types Java can make
        };
        byte[] bytes = new byte[3 * 2 * width];
        new Random(type.getNumber()).nextBytes(bytes);
        if (type == DataType.BOOL) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] &= 1;
            }
        }
        byte[] model = fed.name().equals(type.name())
                ? ExporterModels.identities(List.of(type)).toByteArray()
                : castThenIdentity(type).toByteArray();
        ByteBuffer input = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        input.put(bytes).rewind();
        try (OrtSession session = OrtModels.open(model);
             OnnxTensor tensor = OnnxTensor.createTensor(ENVIRONMENT, input, new long[] {3, 2}, fed);
             OrtSession.Result result = session.run(Map.of(ExporterModels.inputName(type), tensor))) {
            OnnxTensor output = (OnnxTensor) result.get(ExporterModels.outputName(type)).orElseThrow();
            assertEquals("ONNX_TENSOR_ELEMENT_DATA_TYPE_" + type.name(), output.getInfo().onnxType.name());
            assertArrayEquals(new long[] {3, 2}, output.getInfo().getShape());
            ByteBuffer out = output.getByteBuffer();
            byte[] actual = new byte[out.remaining()];
            out.get(actual);
            assertArrayEquals(bytes, actual, type.name());
        }
    }

    @Test
    void identityKeepsStrings() throws OrtException {
        String[] strings = {"", "plain", "ünïcödé", "tab\there", "zero\u0001byte", "emoji \uD83D\uDE00"};
        try (OrtSession session = OrtModels.open(ExporterModels.identities(List.of(DataType.STRING)).toByteArray());
             OnnxTensor tensor = OnnxTensor.createTensor(ENVIRONMENT, strings, new long[] {3, 2});
             OrtSession.Result result = session.run(Map.of("in_string", tensor))) {
            String[][] out = (String[][]) result.get("out_string").orElseThrow().getValue();
            assertArrayEquals(new String[][] {{"", "plain"}, {"ünïcödé", "tab\there"}, {"zero\u0001byte", "emoji \uD83D\uDE00"}},
                    out);
        }
    }

    /** {@code in_<unsigned>} arrives as the signed type of its width and is cast (bits unchanged) before Identity. */
    private static ModelProto castThenIdentity(DataType unsigned) {
        DataType signed = DataType.valueOf(unsigned.name().substring(1));
        ModelProto identity = ExporterModels.identities(List.of(unsigned));
        var graph = identity.getGraph().toBuilder()
                .setInput(0, OnnxProtos.tensor(ExporterModels.inputName(unsigned), signed, "N", 2))
                .addNode(0, OnnxProtos.node("", "Cast", "Cast_in", List.of(ExporterModels.inputName(unsigned)),
                        List.of("cast"), OnnxProtos.integer("to", unsigned.getNumber())));
        graph.setNode(1, graph.getNode(1).toBuilder().setInput(0, "cast"));
        return identity.toBuilder().setGraph(graph).build();
    }
}
