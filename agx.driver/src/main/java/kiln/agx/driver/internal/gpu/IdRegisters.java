package kiln.agx.driver.internal.gpu;

import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.GpuRevision;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.silicon.Mmio;
import kiln.agx.api.silicon.MmioRegion;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * What the ID and core-mask registers say ({@code make_dyncfg}), checked against the chip's
 * static {@link HwConfig} as the real probe checks them.
 *
 * @param revision           the silicon revision
 * @param clusters           clusters present
 * @param coresPerCluster    cores per cluster (including fused-off ones)
 * @param fragsPerCluster    fragment units per cluster
 * @param gpsPerCluster      geometry pipes per cluster
 * @param dies               dies
 * @param coreMasks          one mask per cluster of the cores enabled
 */
public record IdRegisters(GpuRevision revision, int clusters, int coresPerCluster, int fragsPerCluster,
        int gpsPerCluster, int dies, long[] coreMasks) {

    /** Cores enabled over all clusters. */
    public int activeCores() {
        int n = 0;
        for (long m : coreMasks) {
            n += Long.bitCount(m);
        }
        return n;
    }

    static IdRegisters read(Mmio mmio, HwConfig hw) throws DrmException {
        int version = mmio.read32(MmioRegion.SGX, AgxRegisters.ID_VERSION);
        int gen = version >>> 24;
        if (gen != hw.generation().idVersionCode()) {
            throw new DrmException(Errno.EIO, "GPU type mismatch: ID_VERSION generation " + gen + ", expected "
                    + hw.generation().idVersionCode() + " (" + hw.generation() + ")");
        }
        GpuRevision revision = GpuRevision.ofUabi(version >>> 8 & 0xff);
        int counts1 = mmio.read32(MmioRegion.SGX, AgxRegisters.ID_COUNTS_1);
        int counts2 = mmio.read32(MmioRegion.SGX, AgxRegisters.ID_COUNTS_2);
        int clustersReg = mmio.read32(MmioRegion.SGX, AgxRegisters.ID_CLUSTERS);
        int cores = counts1 & 0xff;
        int frags = counts1 >>> 8 & 0xff;
        int gps = counts2 >>> 16 & 0xff;
        int clusters = clustersReg >>> 12 & 0xff;
        int dies = clustersReg >>> 20 & 0xf;
        if (clusters > hw.maxClusters() || cores > hw.maxCoresPerCluster() || frags > hw.maxFragmentUnitsPerCluster()
                || gps > hw.maxGeometryPipesPerCluster()) {
            throw new DrmException(Errno.EIO, "GPU counts exceed the chip's: " + clusters + " clusters, " + cores + " cores, "
                    + frags + " frags, " + gps + " GPs per cluster");
        }
        long packed = (mmio.read32(MmioRegion.SGX, AgxRegisters.CORE_MASK_0) & 0xffff_ffffL)
                | (long) mmio.read32(MmioRegion.SGX, AgxRegisters.CORE_MASK_1) << 32;
        long[] masks = new long[clusters];
        for (int c = 0; c < clusters; c++) {
            masks[c] = packed >>> (c * cores) & ((1L << cores) - 1);
        }
        return new IdRegisters(revision, clusters, cores, frags, gps, dies, masks);
    }
}
