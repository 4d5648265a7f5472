package kiln.drm.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files a native program finds instead of the host's: {@code /dev/dri} (stand-in files for the
 * nodes, {@code by-path} links), {@code /dev/sw_sync} and the sysfs entries libdrm reads ({@code /sys/dev/char/226:N},
 * {@code /sys/class/drm}, the device's {@code uevent}, {@code subsystem} and {@code drm/}),
 * written under {@code root} as real files and links; the preload library redirects those paths
 * there and makes the stand-in files look like character devices.
 *
 * <p>Kiln's GPUs are platform devices, as Apple's are, under {@code /sys/devices/platform/kiln/}
 * (a name a host's own sysfs does not use), named by {@link kiln.drm.api.device.DrmDevice#unique()}
 * (unit addresses Kiln invents beside the real t8103's {@code 206400000}).
 */
final class DeviceTree {
    /** What the tree shows of one device. */
    record Node(int primaryMinor, int renderMinor, String driver, String compatible, String unit) {
    }

    static final int DRM_MAJOR = 226;
    private final Path root;

    DeviceTree(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** Rewrites the tree for {@code nodes}: written beside, then moved in place. */
    synchronized void write(List<Node> nodes) throws IOException {
        Path next = root.resolveSibling(root.getFileName() + ".next");
        delete(next);
        Path dri = Files.createDirectories(next.resolve("dev/dri"));
        Files.createDirectories(dri.resolve("by-path"));
        Files.createDirectories(next.resolve("sys/dev/char"));
        Files.createDirectories(next.resolve("sys/class/drm"));
        Files.createDirectories(next.resolve("sys/bus/platform/drivers"));
        Files.writeString(next.resolve("dev/sw_sync"), "kiln sw_sync\n");
        for (Node n : nodes) {
            String unit = n.unit();
            Path device = Files.createDirectories(next.resolve("sys/devices/platform/kiln/" + unit));
            Files.createDirectories(next.resolve("sys/bus/platform/drivers/" + n.driver()));
            Files.writeString(device.resolve("uevent"), "DRIVER=" + n.driver() + "\nOF_NAME=gpu\nOF_FULLNAME=/soc/gpu@"
                    + unit.replace(".gpu", "") + "\nOF_COMPATIBLE_0=" + n.compatible() + "\nOF_COMPATIBLE_N=1\nMODALIAS=of:NgpuT(null)C"
                    + n.compatible() + "\n");
            Files.createSymbolicLink(device.resolve("subsystem"), Path.of("../../../../bus/platform"));
            Files.createSymbolicLink(device.resolve("driver"), Path.of("../../../../bus/platform/drivers/" + n.driver()));
            minor(next, dri, device, unit, "card", n.primaryMinor());
            minor(next, dri, device, unit, "renderD", n.renderMinor());
        }
        Path old = root.resolveSibling(root.getFileName() + ".old");
        delete(old);
        if (Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.move(root, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(next, root, StandardCopyOption.ATOMIC_MOVE);
        delete(old);
    }

    private static void minor(Path tree, Path dri, Path device, String unit, String prefix, int minor) throws IOException {
        String name = prefix + minor;
        Files.writeString(dri.resolve(name), "kiln " + DRM_MAJOR + ":" + minor + "\n");
        String kind = prefix.equals("card") ? "card" : "render";
        Files.createSymbolicLink(dri.resolve("by-path/platform-" + unit + "-" + kind), Path.of("../" + name));
        Path dir = Files.createDirectories(device.resolve("drm/" + name));
        Files.writeString(dir.resolve("dev"), DRM_MAJOR + ":" + minor + "\n");
        Files.writeString(dir.resolve("uevent"), "MAJOR=" + DRM_MAJOR + "\nMINOR=" + minor + "\nDEVNAME=dri/" + name
                + "\nDEVTYPE=drm_minor\n");
        Files.createSymbolicLink(dir.resolve("device"), Path.of("../../../" + unit));
        Files.createSymbolicLink(dir.resolve("subsystem"), Path.of("../../../../../../class/drm"));
        Files.createSymbolicLink(tree.resolve("sys/dev/char/" + DRM_MAJOR + ":" + minor),
                Path.of("../../devices/platform/kiln/" + unit + "/drm/" + name));
        Files.createSymbolicLink(tree.resolve("sys/class/drm/" + name),
                Path.of("../../devices/platform/kiln/" + unit + "/drm/" + name));
    }

    /** Removes the tree. */
    synchronized void remove() throws IOException {
        delete(root);
    }

    static void delete(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
