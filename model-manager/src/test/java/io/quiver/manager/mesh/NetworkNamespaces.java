package io.quiver.manager.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Network namespaces for model-servers, so that faults can be injected on the network path between
 * the manager (in the root namespace) and one replica without touching anything else: each
 * namespace gets a veth pair whose ends carry the two addresses of a private /30 in 10.213.0.0/16,
 * and faults are iptables rules inside the namespace, on its end of the pair only. {@code tc netem}
 * would be the usual tool for loss and delay, but its queueing discipline is missing from the kernels
 * this runs on; iptables' {@code statistic} match gives random loss, and {@link FaultyProxy} adds
 * latency.
 *
 * <p>Names carry this JVM's pid, so concurrent runs do not clash, and the /24 used is one no
 * interface on the machine has an address in. Everything made here (namespaces, the veths, which go
 * with them) is removed by {@link #close}, and by a shutdown hook if the JVM ends first.
 *
 * <p>Needs root and {@code ip} (iproute2) and {@code iptables}: {@link #openOrSkip} skips the test,
 * saying which is missing, where they are not there.
 */
public final class NetworkNamespaces implements AutoCloseable {
    private static final long PID = ProcessHandle.current().pid();

    /** One namespace: its name, the veth end outside it, and the addresses at both ends. */
    public record Namespace(String name, String hostLink, String innerLink, String hostAddress, String address) {
        /** What runs a command inside it. */
        public List<String> launcher() {
            return List.of("ip", "netns", "exec", name);
        }
    }

    private final int subnet;
    private final List<Namespace> made = Collections.synchronizedList(new ArrayList<>());
    private final Thread hook = new Thread(this::removeAll, "netns-reaper");

    private NetworkNamespaces(int subnet) {
        this.subnet = subnet;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * A set of namespaces for one test class, or the test skipped with the reason when they cannot
     * be made here: not root, or no working {@code ip netns} or {@code iptables}.
     */
    public static NetworkNamespaces openOrSkip() {
        String user = run(false, "id", "-u");
        Assumptions.assumeTrue(user.strip().equals("0"), "the network fault tests need root to make network "
                + "namespaces (ip netns) and veth pairs; running as uid " + user.strip());
        String probe = "qvprobe" + PID;
        String made = run(false, "ip", "netns", "add", probe);
        try {
            Assumptions.assumeTrue(run(false, "ip", "netns", "list").contains(probe),
                    "`ip netns add` does not work here, so no replica can be given a network of its own: " + made);
            String iptables = run(false, "ip", "netns", "exec", probe, "iptables", "-S");
            Assumptions.assumeTrue(iptables.contains("-P INPUT"), "iptables does not work inside a network "
                    + "namespace here (install the iptables package): " + iptables);
        } finally {
            run(false, "ip", "netns", "del", probe);
        }
        return new NetworkNamespaces(freeSubnet());
    }

    /** The third octet of a 10.213.x.0/24 no interface here has an address in, starting from one the pid picks. */
    private static int freeSubnet() {
        String addresses = run(true, "ip", "-o", "-4", "addr", "show");
        for (int i = 0; i < 256; i++) {
            int candidate = (int) ((PID + i) % 256);
            if (!addresses.contains(" 10.213." + candidate + ".")) {
                return candidate;
            }
        }
        throw new IllegalStateException("every 10.213.x.0/24 is in use here: " + addresses);
    }

    /**
     * A new namespace with its loopback and veth up, reachable from the root namespace at
     * {@link Namespace#address()}. {@code label} is a short tag such as "r3".
     */
    public synchronized Namespace create(String label) {
        int index = made.size();
        if (index >= 64) {
            throw new IllegalStateException("at most 64 namespaces per test JVM");
        }
        String name = "qv" + PID + label;
        // Interface names are at most 15 characters: the pid and a counter keep them unique and short.
        String hostLink = "qv" + PID + "h" + index;
        String innerLink = "qv" + PID + "n" + index;
        String prefix = "10.213." + subnet + ".";
        String hostAddress = prefix + (4 * index + 1);
        String address = prefix + (4 * index + 2);
        Namespace namespace = new Namespace(name, hostLink, innerLink, hostAddress, address);
        run(true, "ip", "netns", "add", name);
        made.add(namespace);
        run(true, "ip", "link", "add", hostLink, "type", "veth", "peer", "name", innerLink);
        run(true, "ip", "link", "set", innerLink, "netns", name);
        run(true, "ip", "addr", "add", hostAddress + "/30", "dev", hostLink);
        run(true, "ip", "link", "set", hostLink, "up");
        inside(namespace, "ip", "addr", "add", address + "/30", "dev", innerLink);
        inside(namespace, "ip", "link", "set", innerLink, "up");
        inside(namespace, "ip", "link", "set", "lo", "up");
        return namespace;
    }

    /**
     * Every packet in or out of the namespace's veth dropped, silently: no RST, no ICMP, as when a
     * link or a switch fails. Connections open stay open and hear nothing; new ones get no answer.
     */
    public void partition(Namespace namespace) {
        heal(namespace);
        inside(namespace, "iptables", "-A", "INPUT", "-i", namespace.innerLink(), "-j", "DROP");
        inside(namespace, "iptables", "-A", "OUTPUT", "-o", namespace.innerLink(), "-j", "DROP");
    }

    /** Each packet in or out of the namespace's veth dropped with this probability, independently. */
    public void loss(Namespace namespace, double probability) {
        heal(namespace);
        String p = Double.toString(probability);
        inside(namespace, "iptables", "-A", "INPUT", "-i", namespace.innerLink(), "-m", "statistic", "--mode",
                "random", "--probability", p, "-j", "DROP");
        inside(namespace, "iptables", "-A", "OUTPUT", "-o", namespace.innerLink(), "-m", "statistic", "--mode",
                "random", "--probability", p, "-j", "DROP");
    }

    /** No rules left: the namespace's link carries everything again. */
    public void heal(Namespace namespace) {
        inside(namespace, "iptables", "-F", "INPUT");
        inside(namespace, "iptables", "-F", "OUTPUT");
    }

    /** Packets the fault rules in the namespace dropped so far, both ways: proof the fault was on. */
    public long droppedPackets(Namespace namespace) {
        long dropped = 0;
        for (String chain : List.of("INPUT", "OUTPUT")) {
            for (String line : inside(namespace, "iptables", "-L", chain, "-v", "-x", "-n").split("\n")) {
                String[] words = line.trim().split("\\s+");
                if (words.length > 2 && words[2].equals("DROP")) {
                    dropped += Long.parseLong(words[0]);
                }
            }
        }
        return dropped;
    }

    private static String inside(Namespace namespace, String... command) {
        List<String> words = new ArrayList<>(namespace.launcher());
        words.addAll(List.of(command));
        return run(true, words.toArray(String[]::new));
    }

    /** Removes every namespace made here (their veths go with them, both ends). Processes in them are the caller's. */
    @Override
    public void close() {
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or ran.
        }
    }

    private void removeAll() {
        synchronized (made) {
            for (Namespace namespace : made) {
                run(false, "ip", "netns", "del", namespace.name());
                // Deleting the namespace destroys its veth end and so the pair; this covers a pair whose
                // inner end never got moved in.
                if (run(false, "ip", "link", "show", namespace.hostLink()).contains(namespace.hostLink() + "@")) {
                    run(false, "ip", "link", "del", namespace.hostLink());
                }
            }
            made.clear();
        }
    }

    /** Runs a command, returning its output; when {@code check}, a non-zero exit fails with that output. */
    private static String run(boolean check, String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 30 s");
            }
            if (check && process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "): "
                        + output);
            }
            return output;
        } catch (IOException e) {
            if (check) {
                throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
            }
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }
}
