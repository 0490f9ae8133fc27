package io.quiver.manager.deployments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.common.error.UnavailableException;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local deployment holds two ports of the range, its HTTP port and its gRPC port (a model-server
 * serves gRPC on a port of its own), and no port is given to two deployments or taken from another
 * program. The range is found at run time: a free stretch of loopback ports.
 */
class LocalProcessPortsTest {
    private static final DeploymentName A = new DeploymentName("house_price", "1");
    private static final DeploymentName B = new DeploymentName("house_price", "2");

    @TempDir
    Path dir;

    @Test
    void eachDeploymentHoldsAnHttpAndAGrpcPortThatNoOtherIsGiven() throws IOException {
        int min = freeStretch(5);
        try (ServerSocket other = new ServerSocket(min, 1, InetAddress.getLoopbackAddress())) {
            // The range starts at a port another program listens on, which no deployment may get.
            LocalProcessBackend backend = backend(min, min + 4);
            int a = backend.reserve(A);
            assertNotEquals(min, a);
            assertEquals(a, backend.reserve(A), "reserving again gives what it holds");
            int b = backend.reserve(B);
            assertEquals(List.of(min + 1, min + 3), List.of(a, b), "A's gRPC port lies between the two HTTP ports");
            backend.release(A);
            assertEquals(min + 1, backend.reserve(new DeploymentName("fraud_classifier", "1")),
                    "a released deployment's ports are free again");
        }
    }

    @Test
    void aRangeWithRoomForOnePortIsFull() throws IOException {
        int port = freeStretch(1);
        LocalProcessBackend backend = backend(port, port);
        UnavailableException full = assertThrows(UnavailableException.class, () -> backend.reserve(A));
        assertEquals("No free ports available", full.getMessage());
    }

    /**
     * The first of {@code length} consecutive loopback ports that can be bound now, below the kernel's
     * ephemeral range (32768 and up on Linux): a port of that range may at any moment become the local
     * end of some other test's outgoing connection, and a deployment could then not be given it.
     */
    private static int freeStretch(int length) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
            if (IntStream.range(first, first + length).allMatch(LocalProcessPortsTest::bindable)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + length + " consecutive free loopback ports between 20000 and 32767");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The settings the port allocation reads; any other is not read and is refused. */
    private LocalProcessBackend backend(int min, int max) {
        DeploymentsConfig config = (DeploymentsConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DeploymentsConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "host" -> "127.0.0.1";
                    case "portMin" -> min;
                    case "portMax" -> max;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new LocalProcessBackend(config, dir, new DeploymentStore(dir));
    }
}
