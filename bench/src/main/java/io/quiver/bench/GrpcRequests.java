package io.quiver.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The gRPC twins of the REST requests the benchmarks send: one serialized {@code ModelInferRequest}
 * ({@code common/src/main/proto/open_inference_grpc.proto}) per file, its input in
 * {@code raw_input_contents} (little-endian FP32, the bytes REST's binary tensor data carries),
 * written for {@code OpenLoop --grpc} to frame and send. {@code house_price.grpc} holds the
 * {@code [1, 3]} features of the REST rows' JSON body (1200, 3, 10); {@code image.grpc} and
 * {@code convnet.grpc} the {@code [1, 3, 224, 224]} pixels of {@link ImageRequests}, each naming
 * its model (a gRPC call names the model in its message, a REST one in its path). For
 * {@code bench/parts/46-grpc-ports}, messages of other sizes: {@code house_price-1k.grpc} and
 * {@code house_price-64k.grpc} (85 and 5,461 rows of those features) and {@code image-4.grpc} (four
 * images, 2.3 MiB).
 *
 * <p>The bench module has no generated stubs (quarkus-grpc generates them in the services only),
 * and three fields of one message do not need them: {@link Protobuf} writes the wire format.
 */
public final class GrpcRequests {
    /** The features of the REST rows' house_price body. */
    private static final float[] HOUSE = {1200f, 3f, 10f};

    private GrpcRequests() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: GrpcRequests <directory>");
            System.exit(2);
        }
        Path directory = Paths.get(args[0]);
        Files.write(directory.resolve("house_price.grpc"),
                modelInfer("house_price", "features", new long[] {1, 3}, HOUSE));
        float[] pixels = ImageRequests.pixels();
        for (String model : new String[] {BenchModels.IMAGE, BenchModels.CONVNET}) {
            Files.write(directory.resolve(model + ".grpc"),
                    modelInfer(model, "pixels", BenchModels.shape(model, 1), pixels));
        }
        for (int kib : new int[] {1, 64}) {
            int rows = kib * 1024 / (3 * Float.BYTES);
            float[] features = new float[rows * 3];
            for (int row = 0; row < rows; row++) {
                System.arraycopy(HOUSE, 0, features, row * 3, 3);
            }
            Files.write(directory.resolve("house_price-" + kib + "k.grpc"),
                    modelInfer("house_price", "features", new long[] {rows, 3}, features));
        }
        float[] images = new float[pixels.length * 4];
        for (int image = 0; image < 4; image++) {
            System.arraycopy(pixels, 0, images, image * pixels.length, pixels.length);
        }
        Files.write(directory.resolve(BenchModels.IMAGE + "-4.grpc"),
                modelInfer(BenchModels.IMAGE, "pixels", BenchModels.shape(BenchModels.IMAGE, 4), images));
    }

    /** A {@code ModelInferRequest} for one FP32 input sent as raw contents. */
    public static byte[] modelInfer(String model, String input, long[] shape, float[] values) {
        Protobuf tensor = new Protobuf()
                .string(1, input)
                .string(2, "FP32")
                .packedInt64(3, shape);
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return new Protobuf()
                .string(1, model)
                .bytes(5, tensor.toByteArray())
                .bytes(7, raw.array())
                .toByteArray();
    }

    /** Protocol Buffers' wire format, the part a request needs: varints and length-delimited fields. */
    static final class Protobuf {
        private static final int LENGTH_DELIMITED = 2;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Protobuf string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Protobuf bytes(int field, byte[] value) {
            varint(((long) field << 3) | LENGTH_DELIMITED);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        /** A repeated int64 as proto3 writes it: packed, one length-delimited run of varints. */
        Protobuf packedInt64(int field, long[] values) {
            Protobuf run = new Protobuf();
            for (long value : values) {
                run.varint(value);
            }
            return bytes(field, run.toByteArray());
        }

        private void varint(long value) {
            long rest = value;
            while ((rest & ~0x7FL) != 0) {
                out.write((int) ((rest & 0x7F) | 0x80));
                rest >>>= 7;
            }
            out.write((int) rest);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
