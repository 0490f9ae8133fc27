package io.quiver.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * One V2 request for the image model, written twice: {@code image.json} with the 150,528 pixels as
 * JSON numbers, as a client sends them without the binary extension, and {@code image.bin} with the
 * same pixels as little-endian FP32 bytes after a JSON header, as {@code tritonclient} sends them by
 * default. Prints the header's length, the {@code Inference-Header-Content-Length} to send.
 * Pixels are 8-bit values scaled to [0, 1], so the JSON carries the digits such floats print with.
 */
public final class ImageRequests {
    private ImageRequests() {
    }

    /** The image every request carries, row-major: 8-bit values scaled to [0, 1]. */
    static float[] pixels() {
        long[] shape = BenchModels.shape(BenchModels.IMAGE, 1);
        float[] pixels = new float[Math.toIntExact(shape[1] * shape[2] * shape[3])];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = ((i * 7919) % 256) / 255f;
        }
        return pixels;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ImageRequests <directory>");
            System.exit(2);
        }
        Path directory = Paths.get(args[0]);
        long[] shape = BenchModels.shape(BenchModels.IMAGE, 1);
        float[] pixels = pixels();
        String shapeText = "[" + shape[0] + ", " + shape[1] + ", " + shape[2] + ", " + shape[3] + "]";

        StringBuilder json = new StringBuilder(pixels.length * 12)
                .append("{\"inputs\": [{\"name\": \"pixels\", \"shape\": ").append(shapeText)
                .append(", \"datatype\": \"FP32\", \"data\": [");
        for (int i = 0; i < pixels.length; i++) {
            json.append(i == 0 ? "" : ", ").append(pixels[i]);
        }
        json.append("]}]}\n");
        Files.writeString(directory.resolve("image.json"), json);

        byte[] header = ("{\"inputs\": [{\"name\": \"pixels\", \"shape\": " + shapeText
                + ", \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": " + pixels.length * 4 + "}}]}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(header.length + pixels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.put(header);
        body.asFloatBuffer().put(pixels);
        Files.write(directory.resolve("image.bin"), body.array());
        System.out.println(header.length);
    }
}
