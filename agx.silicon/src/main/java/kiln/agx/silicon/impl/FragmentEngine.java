package kiln.agx.silicon.impl;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import kiln.agx.api.silicon.Attachment;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.FragmentJob;
import kiln.agx.api.silicon.FragmentUnit;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.silicon.impl.ComputeMaster.EnabledCore;
import kiln.agx.silicon.impl.usc.IllegalProgramException;

/**
 * The fragment pipe: tiles are dealt round-robin to the enabled cores; each core keeps the
 * tile's colour and depth on chip (two 32x32 arrays), loads or clears them, rasterises the
 * tile's primitives in list order and stores them. Tile list and primitive fetches fault as the
 * core's {@code IPF}, attachment traffic as its {@code ZLS}.
 *
 * <h2>Rasterisation</h2>
 * Coverage is decided per row: each edge's integer edge function is linear along the row, so
 * the covered pixels of a row are one span found by exact integer division, with the top-left
 * rule as a -1 bias on edges that are neither top nor left ({@link RenderFormats}). Depth and
 * colour come from plane equations over the pixel centres in double precision (the same
 * arithmetic on every chip, hence the same bytes); a triangle whose three colours are equal takes
 * the flat path, which writes the colour word without interpolating.
 */
final class FragmentEngine implements FragmentUnit {
    /** Low nibble of {@code IPF}: the ISP parameter fetch. */
    static final int UNIT_IPF = 0xa;
    /** Low nibble of {@code ZLS}: the depth/colour load-store unit. */
    static final int UNIT_ZLS = 0xe;
    private static final int T = RenderFormats.TILE_PIXELS;

    private final AgxSilicon silicon;
    private final List<EnabledCore> cores;

    FragmentEngine(AgxSilicon silicon, List<EnabledCore> cores) {
        this.silicon = silicon;
        this.cores = List.copyOf(cores);
    }

    @Override
    public CompletableFuture<DispatchResult> render(FragmentJob job) {
        UnitRun run = new UnitRun(silicon);
        run.submit(() -> {
            run.markStart();
            if (job.width() < 1 || job.height() < 1 || job.width() > RenderFormats.MAX_TARGET_PIXELS
                    || job.height() > RenderFormats.MAX_TARGET_PIXELS || job.color() == null) {
                throw new IllegalProgramException("bad fragment job " + job);
            }
            int tiles = RenderFormats.tiles(job.width()) * RenderFormats.tiles(job.height());
            run.fanOut(Math.min(cores.size(), tiles), k -> new TileCore(job, cores.get(k), run).run(k, tiles));
        });
        return run.future;
    }

    /** One core's tile loop and on-chip tile memory. */
    private final class TileCore {
        private final FragmentJob job;
        private final UnitRun run;
        private final UnitMemory parameters;
        private final UnitMemory attachments;
        private final int[] color = new int[T * T];
        private final float[] depth = new float[T * T];
        private final int[] depthBits = new int[T * T];
        private final int[] block = new int[RenderFormats.BLOCK_BYTES / 4];
        private final int[] record = new int[RenderFormats.PRIMITIVE_BYTES / 4];
        private final int[] entry = new int[2];

        TileCore(FragmentJob job, EnabledCore core, UnitRun run) {
            this.job = job;
            this.run = run;
            this.parameters = new UnitMemory(new UatTranslator(silicon.uat(), job.vmSlot(), core.unit(UNIT_IPF)));
            this.attachments = new UnitMemory(new UatTranslator(silicon.uat(), job.vmSlot(), core.unit(UNIT_ZLS)));
        }

        void run(int first, int tiles) {
            int tilesX = RenderFormats.tiles(job.width());
            for (int tile = first; tile < tiles; tile += cores.size()) {
                if (run.stopRequested()) {
                    return;
                }
                parameters.sync();
                attachments.sync();
                int x0 = tile % tilesX * T;
                int y0 = tile / tilesX * T;
                int w = Math.min(T, job.width() - x0);
                int h = Math.min(T, job.height() - y0);
                loadTile(x0, y0, w, h);
                parameters.read(job.tileMapAddress() + (long) tile * RenderFormats.TILE_ENTRY_BYTES, entry, 0, 2);
                int offset = entry[0];
                while (offset != 0) {
                    parameters.read(job.heapAddress() + Integer.toUnsignedLong(offset), block, 0, block.length);
                    for (int i = 0; i < Math.min(block[1], RenderFormats.BLOCK_ENTRIES); i++) {
                        parameters.read(job.heapAddress() + Integer.toUnsignedLong(block[2 + i]), record, 0, record.length);
                        rasterise(x0, y0, w, h);
                    }
                    offset = block[0];
                }
                storeTile(x0, y0, w, h);
            }
        }

        private void loadTile(int x0, int y0, int w, int h) {
            Attachment c = job.color();
            if (c.load()) {
                for (int row = 0; row < h; row++) {
                    attachments.read(c.address() + (long) (y0 + row) * c.strideBytes() + 4L * x0, color, row * T, w);
                }
            } else {
                Arrays.fill(color, c.clearValue());
            }
            Attachment d = job.depth();
            if (d == null) {
                return;
            }
            if (d.load()) {
                for (int row = 0; row < h; row++) {
                    attachments.read(d.address() + (long) (y0 + row) * d.strideBytes() + 4L * x0, depthBits, row * T, w);
                }
                for (int i = 0; i < depth.length; i++) {
                    depth[i] = Float.intBitsToFloat(depthBits[i]);
                }
            } else {
                Arrays.fill(depth, Float.intBitsToFloat(d.clearValue()));
            }
        }

        private void storeTile(int x0, int y0, int w, int h) {
            Attachment c = job.color();
            if (c.store()) {
                for (int row = 0; row < h; row++) {
                    attachments.write(c.address() + (long) (y0 + row) * c.strideBytes() + 4L * x0, color, row * T, w);
                }
            }
            Attachment d = job.depth();
            if (d != null && d.store()) {
                for (int i = 0; i < depth.length; i++) {
                    depthBits[i] = Float.floatToRawIntBits(depth[i]);
                }
                for (int row = 0; row < h; row++) {
                    attachments.write(d.address() + (long) (y0 + row) * d.strideBytes() + 4L * x0, depthBits, row * T, w);
                }
            }
        }

        /** Rasterises the primitive in {@code record} into the tile at (x0, y0) of w x h pixels. */
        private void rasterise(int x0, int y0, int w, int h) {
            int[] p = record;
            long ax = p[0], ay = p[1], bx = p[2], by = p[3], cx = p[4], cy = p[5];
            // Edges v0->v1, v1->v2, v2->v0 as E = A * (x - xa) + B * (y - ya), inside >= 0.
            long a0 = ay - by, b0 = bx - ax;
            long a1 = by - cy, b1 = cx - bx;
            long a2 = cy - ay, b2 = ax - cx;
            long k0 = a0 * (128 - ax) + b0 * (128 - ay);
            long k1 = a1 * (128 - bx) + b1 * (128 - by);
            long k2 = a2 * (128 - cx) + b2 * (128 - cy);
            int bias0 = a0 > 0 || (a0 == 0 && b0 > 0) ? 0 : -1;
            int bias1 = a1 > 0 || (a1 == 0 && b1 > 0) ? 0 : -1;
            int bias2 = a2 > 0 || (a2 == 0 && b2 > 0) ? 0 : -1;
            double area = (double) (a0 * (cx - ax) + b0 * (cy - ay));
            double z0 = Float.intBitsToFloat(p[6]);
            double z1 = Float.intBitsToFloat(p[7]);
            double z2 = Float.intBitsToFloat(p[8]);
            // Plane of an attribute: v0 weighs E1 / area, v1 E2 / area, v2 E0 / area.
            double zx = 256.0 * (z0 * a1 + z1 * a2 + z2 * a0) / area;
            double zy = 256.0 * (z0 * b1 + z1 * b2 + z2 * b0) / area;
            double zc = (z0 * k1 + z1 * k2 + z2 * k0) / area;
            boolean flat = p[9] == p[10] && p[10] == p[11];
            boolean depthTest = job.depth() != null;
            int minY = (int) Math.max(y0, Math.floorDiv(Math.min(ay, Math.min(by, cy)), 256));
            int maxY = (int) Math.min(y0 + h - 1, Math.floorDiv(Math.max(ay, Math.max(by, cy)), 256));
            for (int py = minY; py <= maxY; py++) {
                long row = 256L * py;
                int lo = x0;
                int hi = x0 + w - 1;
                long[] span = {lo, hi};
                if (!clip(span, a0, b0 * row + k0 + bias0) || !clip(span, a1, b1 * row + k1 + bias1)
                        || !clip(span, a2, b2 * row + k2 + bias2)) {
                    continue;
                }
                lo = (int) span[0];
                hi = (int) span[1];
                int base = (py - y0) * T - x0;
                double zRow = zy * py + zc;
                if (flat) {
                    int c = p[9];
                    if (depthTest) {
                        for (int px = lo; px <= hi; px++) {
                            float z = (float) (zx * px + zRow);
                            int i = base + px;
                            if (z < depth[i] && z >= 0f && z <= 1f) {
                                depth[i] = z;
                                color[i] = c;
                            }
                        }
                    } else {
                        Arrays.fill(color, base + lo, base + hi + 1, c);
                    }
                } else {
                    shade(lo, hi, py, base, zx, zRow, area, a0, b0, k0, a1, b1, k1, a2, b2, k2, depthTest);
                }
            }
        }

        /**
         * Narrows {@code span} to the pixels where {@code alpha * 256 * px + beta >= 0}, beta
         * holding the row's constant part and the edge's bias; false if nothing is left.
         */
        private static boolean clip(long[] span, long alpha, long beta) {
            long step = alpha * 256;
            if (step > 0) {
                span[0] = Math.max(span[0], Math.ceilDiv(-beta, step));
            } else if (step < 0) {
                span[1] = Math.min(span[1], Math.floorDiv(beta, -step));
            } else if (beta < 0) {
                return false;
            }
            return span[0] <= span[1];
        }

        private void shade(int lo, int hi, int py, int base, double zx, double zRow, double area, long a0, long b0,
                long k0, long a1, long b1, long k1, long a2, long b2, long k2, boolean depthTest) {
            int[] p = record;
            double[] cxs = new double[4];
            double[] crow = new double[4];
            for (int ch = 0; ch < 4; ch++) {
                int shift = 8 * ch;
                double v0 = p[9] >>> shift & 0xff;
                double v1 = p[10] >>> shift & 0xff;
                double v2 = p[11] >>> shift & 0xff;
                cxs[ch] = 256.0 * (v0 * a1 + v1 * a2 + v2 * a0) / area;
                double cy = 256.0 * (v0 * b1 + v1 * b2 + v2 * b0) / area;
                crow[ch] = cy * py + (v0 * k1 + v1 * k2 + v2 * k0) / area;
            }
            for (int px = lo; px <= hi; px++) {
                int i = base + px;
                if (depthTest) {
                    float z = (float) (zx * px + zRow);
                    if (!(z < depth[i] && z >= 0f && z <= 1f)) {
                        continue;
                    }
                    depth[i] = z;
                }
                int packed = 0;
                for (int ch = 0; ch < 4; ch++) {
                    long v = Math.round(cxs[ch] * px + crow[ch]);
                    packed |= (int) Math.max(0, Math.min(255, v)) << (8 * ch);
                }
                color[i] = packed;
            }
        }
    }
}
