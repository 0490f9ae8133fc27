package io.quiver.common.net;

import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.ForbiddenException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts a service may be told to call: a registered {@code service_url}, a model or data URL.
 * Without it, anyone who may register a service or load a model could point the mesh at the cloud
 * metadata endpoint or another internal address and read the answer back.
 *
 * <p>Each entry is a host name ({@code models.example.com}), a domain suffix ({@code .example.com})
 * or an address block ({@code 10.0.0.0/8}, {@code fd00::/8}, a single address). A URL is refused
 * when its host name or any address it resolves to is denied; when an allow-list is given, its host
 * name or every address must also be allowed. The default deny-list refuses link-local addresses
 * (where cloud metadata services answer), the known metadata names and addresses, and the
 * unspecified address; loopback stays allowed so that a mesh on one machine works.
 *
 * <p>The check runs when the URL is given; a name that resolves elsewhere later (DNS rebinding)
 * is not caught, which docs/security.md says.
 */
public final class DestinationPolicy {
    /** The default deny-list, in the form the settings take. */
    public static final String DEFAULT_DENIED = "169.254.0.0/16,fe80::/10,fd00:ec2::254/128,100.100.100.200/32,"
            + "0.0.0.0/8,::/128,metadata.google.internal,metadata.goog,metadata";

    private final List<Entry> allowed;
    private final List<Entry> denied;
    private final String setting;

    /**
     * @param allowed entries to allow; empty allows whatever is not denied
     * @param denied  entries to refuse, which win over allowed ones
     * @param setting the name of the settings, for messages that say what to change
     */
    public DestinationPolicy(List<String> allowed, List<String> denied, String setting) {
        this.allowed = parse(allowed, setting);
        this.denied = parse(denied, setting);
        this.setting = setting;
    }

    /**
     * Refuses the URL's host with 403 when the policy does not allow it, and with 400 when it does
     * not resolve (an address unknown now cannot be checked).
     *
     * @param what how the message names the URL, e.g. {@code service_url}
     */
    public void check(String what, URI uri) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new BadRequestException(what + " '" + uri + "' has no host");
        }
        String name = canonical(host);
        for (Entry entry : denied) {
            if (entry.matchesName(name)) {
                throw refused(what, uri, name + " is denied");
            }
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(name);
        } catch (UnknownHostException e) {
            throw new BadRequestException(what + " '" + uri + "': host " + name + " does not resolve");
        }
        for (Entry entry : denied) {
            for (InetAddress address : addresses) {
                if (entry.matches(address)) {
                    throw refused(what, uri, name + " is " + address.getHostAddress() + ", in the denied " + entry);
                }
            }
        }
        if (allowed.isEmpty() || allowed.stream().anyMatch(e -> e.matchesName(name))) {
            return;
        }
        for (InetAddress address : addresses) {
            if (allowed.stream().noneMatch(e -> e.matches(address))) {
                throw refused(what, uri, name + " (" + address.getHostAddress() + ") is not on the allow-list");
            }
        }
    }

    /** Lower case, without IPv6 brackets or the root's trailing dot. */
    private static String canonical(String host) {
        String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        name = name.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private ForbiddenException refused(String what, URI uri, String why) {
        return new ForbiddenException(what + " '" + uri + "' is refused: " + why + " (" + setting + ")");
    }

    private static List<Entry> parse(List<String> entries, String setting) {
        List<Entry> parsed = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (!entry.isEmpty()) {
                parsed.add(Entry.of(entry, setting));
            }
        }
        return List.copyOf(parsed);
    }

    /** A host name, a domain suffix (leading dot) or an address block. */
    private record Entry(String text, String name, byte[] network, int prefix) {
        static Entry of(String text, String setting) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            boolean literal = host.contains(":") || host.matches("[0-9.]+");
            if (!literal) {
                if (slash >= 0 || !host.matches("\\.?[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
                    throw new IllegalArgumentException(setting + ": '" + text + "' is neither a host name nor an address block");
                }
                return new Entry(text, host, null, 0);
            }
            byte[] network;
            try {
                // A literal address: getByName does not consult DNS for one.
                network = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(setting + ": '" + text + "' is not a valid address", e);
            }
            int prefix = network.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException(setting + ": '" + text + "' has an invalid prefix length");
                }
            }
            return new Entry(text, null, network, prefix);
        }

        boolean matchesName(String host) {
            if (name == null) {
                return false;
            }
            return name.startsWith(".") ? host.endsWith(name) || host.equals(name.substring(1)) : host.equals(name);
        }

        boolean matches(InetAddress address) {
            if (network == null) {
                return false;
            }
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (bytes[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
