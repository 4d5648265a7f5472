package kiln.drm.impl.device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlFlag;
import kiln.drm.api.ioctl.IoctlNumber;

/**
 * The core ioctls about the file and its client ({@code drm_ioctl.c}, {@code drm_auth.c}):
 * GET_UNIQUE, GET_MAGIC, GET_CLIENT, GET_STATS, SET_VERSION, SET_UNIQUE, AUTH_MAGIC, SET_MASTER,
 * DROP_MASTER, SET_CLIENT_CAP, with the kernel's flags (none of them is allowed on a render node:
 * EACCES) and answers; and the KMS ioctls, which a driver without {@link DriverFeature#MODESET}
 * answers EOPNOTSUPP (the dumb-buffer ones ENOSYS: no {@code dumb_create}), after the same
 * permission checks as the kernel's.
 */
final class FileIoctls {
    private static final ValueLayout.OfInt S32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** {@code DRM_IF_MAJOR}, {@code DRM_IF_MINOR}: the interface version SET_VERSION answers. */
    static final int IF_MAJOR = 1;
    static final int IF_MINOR = 4;

    static final int GET_UNIQUE = IoctlNumber.iowr(0x01, 16);
    static final int GET_MAGIC = IoctlNumber.ior(0x02, 4);
    static final int GET_CLIENT = IoctlNumber.iowr(0x05, 40);
    static final int GET_STATS = IoctlNumber.ior(0x06, 248);
    static final int SET_VERSION = IoctlNumber.iowr(0x07, 16);
    static final int SET_CLIENT_CAP = IoctlNumber.iow(0x0d, 16);
    static final int SET_UNIQUE = IoctlNumber.iow(0x10, 16);
    static final int AUTH_MAGIC = IoctlNumber.iow(0x11, 4);
    static final int SET_MASTER = IoctlNumber.io(0x1e);
    static final int DROP_MASTER = IoctlNumber.io(0x1f);

    private FileIoctls() {
    }

    static void addTo(IoctlDescriptor[] table) {
        int master = IoctlFlag.MASTER.bit();
        put(table, new IoctlDescriptor(GET_UNIQUE, "GET_UNIQUE", 0, FileIoctls::getUnique));
        put(table, new IoctlDescriptor(GET_MAGIC, "GET_MAGIC", 0, (file, arg) -> {
            arg.set(S32, 0, device(file).magicOf((DeviceFile) file));
            return 0;
        }));
        put(table, new IoctlDescriptor(GET_CLIENT, "GET_CLIENT", 0, FileIoctls::getClient));
        put(table, new IoctlDescriptor(GET_STATS, "GET_STATS", 0, (file, arg) -> {
            arg.fill((byte) 0); // drm_getstats: no statistics any more
            return 0;
        }));
        put(table, new IoctlDescriptor(SET_VERSION, "SET_VERSION", master, FileIoctls::setVersion));
        put(table, new IoctlDescriptor(SET_CLIENT_CAP, "SET_CLIENT_CAP", 0, (file, arg) -> {
            requireModeset(file); // no render-only settable capability: every cap is a KMS one
            throw DrmException.quiet(Errno.EINVAL, "client cap " + arg.get(U64, 0));
        }));
        put(table, new IoctlDescriptor(SET_UNIQUE, "SET_UNIQUE",
                IoctlFlag.AUTH.bit() | master | IoctlFlag.ROOT_ONLY.bit(), (file, arg) -> {
                    throw DrmException.quiet(Errno.EINVAL, "SET_UNIQUE is gone (drm_invalid_op)");
                }));
        put(table, new IoctlDescriptor(AUTH_MAGIC, "AUTH_MAGIC", master, (file, arg) -> {
            device(file).authenticate(arg.get(S32, 0));
            return 0;
        }));
        put(table, new IoctlDescriptor(SET_MASTER, "SET_MASTER", 0, (file, arg) -> {
            device(file).setMaster((DeviceFile) file);
            return 0;
        }));
        put(table, new IoctlDescriptor(DROP_MASTER, "DROP_MASTER", 0, (file, arg) -> {
            device(file).dropMasterIoctl((DeviceFile) file);
            return 0;
        }));
        addKms(table);
    }

    /** KMS nrs (0xA0...) with the kernel's flags: the setters need master. */
    private static void addKms(IoctlDescriptor[] table) {
        int[][] kms = {
            // nr, struct size, master?
            {0xA0, 64, 0}, {0xA1, 104, 0}, {0xA2, 104, 1}, {0xA3, 28, 1}, {0xA4, 32, 0}, {0xA5, 32, 1},
            {0xA6, 20, 0}, {0xA7, 80, 0}, {0xAA, 64, 0}, {0xAB, 16, 1}, {0xAC, 16, 0}, {0xAD, 28, 0},
            {0xAE, 28, 0}, {0xAF, 4, 0}, {0xB0, 24, 1}, {0xB1, 24, 1}, {0xB5, 16, 0}, {0xB6, 32, 0},
            {0xB7, 48, 1}, {0xB8, 104, 0}, {0xB9, 32, 0}, {0xBA, 24, 1}, {0xBB, 36, 1}, {0xBC, 56, 1},
            {0xBD, 16, 0}, {0xBE, 4, 0}, {0xC6, 24, 1}, {0xC7, 16, 1}, {0xC8, 16, 1}, {0xC9, 8, 1},
            {0xCE, 104, 0}, {0xD0, 8, 0}};
        String[] names = {"MODE_GETRESOURCES", "MODE_GETCRTC", "MODE_SETCRTC", "MODE_CURSOR", "MODE_GETGAMMA",
            "MODE_SETGAMMA", "MODE_GETENCODER", "MODE_GETCONNECTOR", "MODE_GETPROPERTY", "MODE_SETPROPERTY",
            "MODE_GETPROPBLOB", "MODE_GETFB", "MODE_ADDFB", "MODE_RMFB", "MODE_PAGE_FLIP", "MODE_DIRTYFB",
            "MODE_GETPLANERESOURCES", "MODE_GETPLANE", "MODE_SETPLANE", "MODE_ADDFB2", "MODE_OBJ_GETPROPERTIES",
            "MODE_OBJ_SETPROPERTY", "MODE_CURSOR2", "MODE_ATOMIC", "MODE_CREATEPROPBLOB", "MODE_DESTROYPROPBLOB",
            "MODE_CREATE_LEASE", "MODE_LIST_LESSEES", "MODE_GET_LEASE", "MODE_REVOKE_LEASE", "MODE_GETFB2",
            "MODE_CLOSEFB"};
        for (int i = 0; i < kms.length; i++) {
            put(table, new IoctlDescriptor(IoctlNumber.iowr(kms[i][0], kms[i][1]), names[i],
                    kms[i][2] == 1 ? IoctlFlag.MASTER.bit() : 0, (file, arg) -> {
                        requireModeset(file);
                        throw DrmException.quiet(Errno.EOPNOTSUPP, "Kiln has no KMS support");
                    }));
        }
        // CREATE_DUMB, MAP_DUMB, DESTROY_DUMB: drm_mode_create_dumb & co. without dumb_create
        int[][] dumb = {{0xB2, 32}, {0xB3, 16}, {0xB4, 4}};
        String[] dumbNames = {"MODE_CREATE_DUMB", "MODE_MAP_DUMB", "MODE_DESTROY_DUMB"};
        for (int i = 0; i < dumb.length; i++) {
            put(table, new IoctlDescriptor(IoctlNumber.iowr(dumb[i][0], dumb[i][1]), dumbNames[i], 0, (file, arg) -> {
                throw DrmException.quiet(Errno.ENOSYS, "the driver has no dumb buffers");
            }));
        }
    }

    private static void requireModeset(DrmFile file) throws DrmException {
        if (!file.device().driver().features().contains(DriverFeature.MODESET)) {
            throw DrmException.quiet(Errno.EOPNOTSUPP, "the driver has no modesetting");
        }
    }

    private static Device device(DrmFile file) {
        return ((DeviceFile) file).device;
    }

    /** {@code drm_getunique}: the length always; the bytes (no NUL) when they fit. */
    private static int getUnique(DrmFile file, MemorySegment arg) throws DrmException {
        byte[] unique = file.device().unique().getBytes(StandardCharsets.US_ASCII);
        long room = arg.get(U64, 0);
        if (Long.compareUnsigned(room, unique.length) >= 0) {
            file.caller().memory().copyOut(MemorySegment.ofArray(unique), 0, arg.get(U64, 8), unique.length);
        }
        arg.set(U64, 0, unique.length);
        return 0;
    }

    /** {@code drm_getclient}: only index 0, the caller itself. */
    private static int getClient(DrmFile file, MemorySegment arg) throws DrmException {
        if (arg.get(S32, 0) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "GET_CLIENT knows only the caller (index 0)");
        }
        Client caller = file.caller();
        arg.set(S32, 4, file.isAuthenticated() ? 1 : 0);
        arg.set(U64, 8, caller.nativeProcess().map(p -> (long) p.pid()).orElse((long) caller.pid()));
        arg.set(U64, 16, caller.nativeProcess().map(p -> (long) p.uid()).orElse(0L));
        arg.set(U64, 24, 0);
        arg.set(U64, 32, 0);
        return 0;
    }

    /** {@code drm_setversion}: checks what the caller asks for, answers the versions either way. */
    private static int setVersion(DrmFile file, MemorySegment arg) throws DrmException {
        var info = file.device().driver().info();
        int diMajor = arg.get(S32, 0);
        int diMinor = arg.get(S32, 4);
        int ddMajor = arg.get(S32, 8);
        int ddMinor = arg.get(S32, 12);
        boolean bad = diMajor != -1 && (diMajor != IF_MAJOR || diMinor < 0 || diMinor > IF_MINOR)
                || ddMajor != -1 && (ddMajor != info.major() || ddMinor < 0 || ddMinor > info.minor());
        arg.set(S32, 0, IF_MAJOR);
        arg.set(S32, 4, IF_MINOR);
        arg.set(S32, 8, info.major());
        arg.set(S32, 12, info.minor());
        if (bad) {
            throw DrmException.quiet(Errno.EINVAL, "SET_VERSION " + diMajor + "." + diMinor + " / " + ddMajor + "." + ddMinor);
        }
        return 0;
    }

    private static void put(IoctlDescriptor[] table, IoctlDescriptor d) {
        table[IoctlNumber.nr(d.cmd())] = d;
    }
}
