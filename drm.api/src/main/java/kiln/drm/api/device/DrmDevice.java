package kiln.drm.api.device;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.driver.DrmDriver;
import kiln.drm.api.file.DrmFile;

/** A registered DRM device; see the {@linkplain kiln.drm.api.device package documentation}. */
@ProviderType
public interface DrmDevice {
    /** Service property: the driver's name ({@code DriverInfo.name}), e.g. {@code asahi}. */
    String DRIVER_NAME = "drm.driver";
    /** Service property: the render node's name, e.g. {@code renderD128}. */
    String RENDER_NODE = "drm.node.render";
    /** Service property: the render minor number, e.g. 128. */
    String RENDER_MINOR = "drm.minor.render";
    /** Service property: the primary node's name, e.g. {@code card0}. */
    String PRIMARY_NODE = "drm.node.primary";
    /** Service property: the primary minor number, e.g. 0. */
    String PRIMARY_MINOR = "drm.minor.primary";

    /**
     * Service property a driver of a platform device may give: its devicetree {@code compatible}
     * string (e.g. {@code apple,agx-t8103}), what sysfs reports as {@code OF_COMPATIBLE_0}.
     */
    String OF_COMPATIBLE = "of.compatible";

    DrmDriver driver();

    /** Primary node name, {@code card<minor>}. */
    String primaryNode();

    /** Render node name, {@code renderD<minor>}. */
    String renderNode();

    int primaryMinor();

    /**
     * The device's bus name, what {@code DRM_IOCTL_GET_UNIQUE} answers and sysfs calls it: Kiln's
     * GPUs are platform devices named by unit address, {@code 206400000.gpu} (the real t8103
     * GPU's) for render minor 128 and {@code 0x1000000} further for each next minor (invented:
     * the real system has one GPU).
     */
    String unique();

    int renderMinor();

    boolean isUnplugged();

    /**
     * {@code drm_dev_enter}: true if the device is still plugged, and then the caller must call
     * {@link #exit()} when done; false once unplugged.
     */
    boolean enter();

    /** {@code drm_dev_exit}. */
    void exit();

    /**
     * Changes one of the properties the driver gave at registration on the device's service (a
     * driver whose device changes while it runs, as the firmware a live swap moves to). The
     * core's {@code drm.*} properties cannot be changed: {@link IllegalArgumentException}. Does
     * nothing once unplugged.
     */
    void setProperty(String key, Object value);

    /**
     * {@code drm_dev_unplug}: refuses new calls with ENODEV, waits for calls inside
     * {@link #enter()} / {@link #exit()} to finish, then withdraws the device service. Idempotent.
     */
    void unplug();

    /** The files open on this device. */
    List<DrmFile> files();
}
