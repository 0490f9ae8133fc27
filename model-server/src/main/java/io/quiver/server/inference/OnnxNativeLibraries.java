package io.quiver.server.inference;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * ONNX Runtime's Java binding copies its native libraries (21 MB on Linux) out of its jar into a
 * new temporary directory at every start, and never removes it: each start of a service left
 * 21 MB in {@code /tmp} and spent a tenth of a second copying. Copied once into a directory of
 * their own, keyed by ONNX Runtime's version and platform, they are loaded from there by every
 * later start (the binding's {@code onnxruntime.native.path} property).
 *
 * <p>Only when ONNX Runtime's classes come from the class path (the packaged service): see
 * {@link #install}. The directory must belong to the user running the service and be writable by nobody else, or
 * it is not used: a library another user could replace would run inside the service.
 */
public final class OnnxNativeLibraries {
    public static final String PATH_PROPERTY = "onnxruntime.native.path";
    private static final Logger LOG = Logger.getLogger(OnnxNativeLibraries.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private OnnxNativeLibraries() {
    }

    /**
     * Points ONNX Runtime at copies of its libraries under {@code root} (see {@link #copy}). Does
     * nothing when {@value #PATH_PROPERTY} is already set; on any failure ONNX Runtime keeps its own
     * way, with a warning.
     */
    public static synchronized void install(Path root) {
        // The JVM lets one class loader alone load a library file. In dev mode and tests Quarkus
        // loads ONNX Runtime's classes anew for each application it starts in the same JVM, and
        // each load needs a file of its own: ONNX Runtime's fresh copy is what makes that work.
        if (System.getProperty(PATH_PROPERTY) != null
                || OrtEnvironment.class.getClassLoader() != ClassLoader.getSystemClassLoader()) {
            return;
        }
        try {
            copy(root).ifPresent(dir -> System.setProperty(PATH_PROPERTY, dir.toString()));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("ONNX Runtime's native libraries stay where it puts them (a new directory under %s per start): %s",
                    System.getProperty("java.io.tmpdir"), e.getMessage());
        }
    }

    /**
     * Copies ONNX Runtime's libraries for this platform into a directory under {@code root} named
     * by its version and platform, unless copies of the same size are there already, and returns
     * that directory; empty when the jar has no libraries for this platform.
     */
    static Optional<Path> copy(Path root) throws IOException {
        String platform = platform();
        List<URL> resources = new ArrayList<>();
        for (String name : List.of(System.mapLibraryName("onnxruntime"), System.mapLibraryName("onnxruntime4j_jni"))) {
            URL resource = OrtEnvironment.class.getResource("/ai/onnxruntime/native/" + platform + "/" + name);
            if (resource == null) {
                return Optional.empty();
            }
            resources.add(resource);
        }
        if (root.toAbsolutePath().getParent() != null) {
            Files.createDirectories(root.toAbsolutePath().getParent());
        }
        Path dir = root.resolve("onnxruntime-" + version() + "-" + platform);
        ownDirectory(root);
        ownDirectory(dir);
        for (URL resource : resources) {
            String path = resource.getPath();
            copyIfChanged(resource, dir.resolve(path.substring(path.lastIndexOf('/') + 1)));
        }
        return Optional.of(dir);
    }

    /** The default root: one per user under the temporary directory. */
    public static Path defaultRoot() {
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "quiver-native-" + user);
    }

    private static void copyIfChanged(URL resource, Path target) throws IOException {
        URLConnection connection = resource.openConnection();
        long size = connection.getContentLengthLong();
        if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
            return;
        }
        Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".partial");
        try (InputStream in = connection.getInputStream()) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Creates {@code dir} for this user alone, or checks that an existing one is this user's alone. */
    private static void ownDirectory(Path dir) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(dir.toAbsolutePath().getParent(), PosixFileAttributeView.class);
        if (!Files.exists(dir)) {
            try {
                if (posix != null) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } else {
                    Files.createDirectory(dir);
                }
            } catch (FileAlreadyExistsException raced) {
                // Another service of the same user created it a moment ago: checked below.
            }
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        if (posix != null) {
            PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
            String owner = view.getOwner().getName();
            Set<PosixFilePermission> permissions = view.readAttributes().permissions();
            if (!owner.equals(System.getProperty("user.name")) || permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IOException(dir + " belongs to " + owner + " or others may write to it");
            }
        }
    }

    private static String version() {
        String version = OrtEnvironment.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** ONNX Runtime's name for this platform, as its jar's {@code ai/onnxruntime/native/} folders are named. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "osx"
                : os.contains("win") ? "win" : os;
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return osName + "-" + archName;
    }
}
