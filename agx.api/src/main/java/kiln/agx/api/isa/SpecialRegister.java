package kiln.agx.api.isa;

/** What {@code sr d, name} reads; the immediate is the ordinal. */
public enum SpecialRegister {
    /** Thread position in its workgroup, x. */
    TID_X("tid.x"),
    /** Thread position in its workgroup, y. */
    TID_Y("tid.y"),
    /** Thread position in its workgroup, z. */
    TID_Z("tid.z"),
    /** Workgroup position in the grid, x. */
    WG_X("wg.x"),
    /** Workgroup position in the grid, y. */
    WG_Y("wg.y"),
    /** Workgroup position in the grid, z. */
    WG_Z("wg.z"),
    /** Threads per workgroup, x. */
    WGSIZE_X("wgsize.x"),
    /** Threads per workgroup, y. */
    WGSIZE_Y("wgsize.y"),
    /** Threads per workgroup, z. */
    WGSIZE_Z("wgsize.z"),
    /** Workgroups in the grid, x. */
    GRID_X("grid.x"),
    /** Workgroups in the grid, y. */
    GRID_Y("grid.y"),
    /** Workgroups in the grid, z. */
    GRID_Z("grid.z"),
    /** Global thread position {@code wg * wgsize + tid}, x. */
    GID_X("gid.x"),
    /** Global thread position, y. */
    GID_Y("gid.y"),
    /** Global thread position, z. */
    GID_Z("gid.z"),
    /** The lane in the SIMD group, 0-31. */
    LANE("lane");

    private static final SpecialRegister[] VALUES = values();
    private final String mnemonic;

    SpecialRegister(String mnemonic) {
        this.mnemonic = mnemonic;
    }

    /** The assembler name, e.g. {@code gid.x}. */
    public String mnemonic() {
        return mnemonic;
    }

    /** The register for an assembler name, or {@code null}. */
    public static SpecialRegister of(String mnemonic) {
        for (SpecialRegister r : values()) {
            if (r.mnemonic.equals(mnemonic)) {
                return r;
            }
        }
        return null;
    }

    /** The register for an immediate, or {@code null}. */
    public static SpecialRegister of(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : null;
    }
}
