package kiln.agx.silicon.impl;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import kiln.agx.api.silicon.Attachment;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.FragmentJob;
import kiln.agx.api.silicon.FragmentUnit;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.silicon.impl.ComputeMaster.EnabledCore;
import kiln.agx.api.isa.Isa;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.UatAgent;
import kiln.agx.silicon.impl.usc.DispatchShape;
import kiln.agx.silicon.impl.usc.IllegalProgramException;
import kiln.agx.silicon.impl.usc.Program;
import kiln.agx.silicon.impl.usc.UscCore;

/**
 * The fragment pipe: the tiles are split into one contiguous run per enabled core; each core keeps the
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
    private static final int RECORD_CACHE = 64;
    /** {@code dIPP}: fetches fragment programs and their uniforms. */
    static final int UNIT_IPP = 0xa5;
    /** The grid a fragment program's threads report: one workgroup of a batch. */
    private static final DispatchShape FRAGMENT_SHAPE = new DispatchShape(1, 1, 1, UscCore.MAX_BATCH, 1, 1);

    private final AgxSilicon silicon;
    private final List<EnabledCore> cores;
    /**
     * Tile cores between jobs, with their TLBs still warm (valid while the context slot matches).
     * Only a core whose run ended normally comes back here, and each run starts by resetting the
     * per-job tile state: what one job (one client) left can never reach the next.
     */
    private final ConcurrentLinkedQueue<TileCore> idle = new ConcurrentLinkedQueue<>();

    FragmentEngine(AgxSilicon silicon, List<EnabledCore> cores) {
        this.silicon = silicon;
        this.cores = List.copyOf(cores);
    }

    /** An idle tile core for core {@code k} in context {@code slot}, or a new one. */
    private TileCore take(int slot, int k) {
        for (var it = idle.iterator(); it.hasNext();) {
            TileCore core = it.next();
            if (core.slot == slot && core.coreIndex == k && idle.remove(core)) {
                return core;
            }
        }
        return new TileCore(slot, k);
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
            Program program = null;
            long[] uniforms = new long[Isa.UNIFORMS];
            if (job.programAddress() != 0) {
                if (job.uniformCount() < 0 || job.uniformCount() > Isa.UNIFORMS) {
                    throw new IllegalProgramException("bad uniform count " + job.uniformCount());
                }
                GpuMemory fetch = silicon.uat().context(job.vmSlot(), UatAgent.GPU, UNIT_IPP);
                program = Program.decode(i -> fetch.readLong(job.programAddress() + (long) i * Isa.WORD_BYTES))
                        .scaled(UscCore.MAX_BATCH);
                for (int i = 0; i < job.uniformCount(); i++) {
                    uniforms[i] = fetch.readLong(job.uniformsAddress() + 8L * i);
                }
            }
            Program shader = program;
            run.fanOut(Math.min(cores.size(), tiles), k -> {
                TileCore core = take(job.vmSlot(), k);
                // a core whose run threw (a fault mid-tile) may hold anything: it is not pooled again
                core.run(job, run, k, tiles, shader, uniforms);
                idle.add(core);
            });
        });
        return run.future;
    }

    /**
     * A strip of a linear attachment: the tiles of one tile row a core has finished, kept until
     * the row (or the core's run) ends and then written as one run per pixel row. Writing
     * 128-byte tile rows scattered over the attachment instead costs several times more.
     */
    private static final class Strip {
        private int[] pixels = new int[0];
        private int width;
        private int firstX = -1;
        private int endX;
        private int y0;
        private int rows;

        /** The strip for a target {@code targetWidth} pixels wide. */
        void prepare(int targetWidth) {
            width = RenderFormats.tiles(targetWidth) * T;
            if (pixels.length < width * T) {
                pixels = new int[width * T];
            }
            firstX = -1;
        }

        private void extend(int x0, int tileY0, int w, int h) {
            if (firstX < 0) {
                firstX = x0;
                y0 = tileY0;
                rows = h;
            }
            endX = x0 + w;
        }

        void put(int[] tile, int x0, int tileY0, int w, int h) {
            extend(x0, tileY0, w, h);
            for (int row = 0; row < h; row++) {
                System.arraycopy(tile, row * T, pixels, row * width + x0, w);
            }
        }

        void fill(int value, int x0, int tileY0, int w, int h) {
            extend(x0, tileY0, w, h);
            for (int row = 0; row < h; row++) {
                Arrays.fill(pixels, row * width + x0, row * width + x0 + w, value);
            }
        }

        void flush(UnitMemory memory, Attachment a) {
            if (firstX < 0) {
                return;
            }
            long base = a.address() + (long) y0 * a.strideBytes() + 4L * firstX;
            memory.rows(base, a.strideBytes(), rows, pixels, firstX, width, endX - firstX, true);
            firstX = -1;
        }
    }

    /** One core's tile loop and on-chip tile memory. */
    private final class TileCore {
        final int slot;
        final int coreIndex;
        private FragmentJob job;
        private UnitRun run;
        /** The core's shader pipeline when the job has a fragment program. */
        private UscCore usc;
        /** Fragments of one primitive in one tile waiting for the program: pixel index, inputs, outputs. */
        private final int[] fragmentPixel = new int[T * T];
        private final int[][] fragmentIn = new int[7][T * T];
        private final int[][] fragmentOut = new int[4][T * T];
        private final UnitMemory parameters;
        private final UnitMemory attachments;
        private final int[] color = new int[T * T];
        private final Strip colorStrip = new Strip();
        private final Strip depthStrip = new Strip();
        /** Depth as float bits, so loads and stores are plain copies. */
        private final int[] depth = new int[T * T];
        /** The smallest depth in the tile: a primitive entirely nearer passes every depth test. */
        private float depthMin;
        private final int[] block = new int[RenderFormats.BLOCK_BYTES / 4];
        private final int[] record = new int[RenderFormats.PRIMITIVE_BYTES / 4];
        /**
         * The parameter cache: primitive records by heap offset (a primitive is usually in many
         * tiles). Valid for one job: the heap changes between jobs.
         */
        private final int[] cachedOffset = new int[RECORD_CACHE];
        private final int[][] cachedRecord = new int[RECORD_CACHE][RenderFormats.PRIMITIVE_BYTES / 4];
        /** Clears not yet done: a primitive covering the whole tile makes them unnecessary. */
        private boolean colorClearPending;
        private boolean depthClearPending;
        /**
         * The tile is one colour at one depth (a flat primitive covered all of it), held as two
         * words instead of in the arrays until something writes part of the tile; its store is
         * then a fill.
         */
        private boolean solid;
        private int solidColor;
        private int solidDepth;
        private final int[] entry = new int[2];
        private final long[] span = new long[2];

        TileCore(int slot, int coreIndex) {
            this.slot = slot;
            this.coreIndex = coreIndex;
            EnabledCore core = cores.get(coreIndex);
            this.parameters = new UnitMemory(new UatTranslator(silicon.uat(), slot, core.unit(UNIT_IPF)));
            // Attachment rows a stride apart touch many pages per tile: a larger TLB keeps them.
            this.attachments = new UnitMemory(new UatTranslator(silicon.uat(), slot, core.unit(UNIT_ZLS)), 4096);
        }

        void run(FragmentJob fragmentJob, UnitRun unitRun, int first, int tiles, Program shader, long[] uniforms) {
            this.job = fragmentJob;
            this.run = unitRun;
            // nothing of an earlier job's tile carries over (it may have stopped mid-tile)
            colorClearPending = false;
            depthClearPending = false;
            solid = false;
            this.usc = shader == null ? null : new UscCore(shader, uniforms, new UatTranslator(silicon.uat(), slot,
                    cores.get(coreIndex).unit(ComputeMaster.UNIT_UL1C)), FRAGMENT_SHAPE, unitRun);
            Arrays.fill(cachedOffset, 0);
            colorStrip.prepare(job.width());
            depthStrip.prepare(job.width());
            int tilesX = RenderFormats.tiles(job.width());
            // Core k takes the k-th contiguous run of tiles: a core walking along a row of tiles
            // writes each pixel row of a linear attachment sequentially.
            int used = Math.min(cores.size(), tiles);
            int from = (int) ((long) tiles * first / used);
            int to = (int) ((long) tiles * (first + 1) / used);
            for (int tile = from; tile < to; tile++) {
                if (run.stopRequested()) {
                    return;
                }
                parameters.sync();
                attachments.sync();
                int x0 = tile % tilesX * T;
                int y0 = tile / tilesX * T;
                int w = Math.min(T, job.width() - x0);
                int h = Math.min(T, job.height() - y0);
                loadTile(tile, x0, y0, w, h);
                parameters.read(job.tileMapAddress() + (long) tile * RenderFormats.TILE_ENTRY_BYTES, entry, 0, 2);
                int offset = entry[0];
                while (offset != 0) {
                    parameters.read(job.heapAddress() + Integer.toUnsignedLong(offset), block, 0, block.length);
                    for (int i = 0; i < Math.min(block[1], RenderFormats.BLOCK_ENTRIES); i++) {
                        fetchRecord(block[2 + i]);
                        rasterise(x0, y0, w, h);
                    }
                    offset = block[0];
                }
                storeTile(tile, x0, y0, w, h);
                if ((tile + 1) % tilesX == 0 || tile + 1 == to) {
                    flushStrips();
                }
            }
        }

        private void fetchRecord(int offset) {
            int slot = (offset / RenderFormats.PRIMITIVE_BYTES) & (RECORD_CACHE - 1);
            if (cachedOffset[slot] != offset) {
                parameters.read(job.heapAddress() + Integer.toUnsignedLong(offset), cachedRecord[slot], 0, record.length);
                cachedOffset[slot] = offset;
            }
            System.arraycopy(cachedRecord[slot], 0, record, 0, record.length);
        }

        /** Performs clears still pending and expands a solid tile, before anything writes part of the tile. */
        private void clearNow() {
            if (solid) {
                Arrays.fill(color, solidColor);
                Arrays.fill(depth, solidDepth);
                solid = false;
            }
            if (colorClearPending) {
                Arrays.fill(color, job.color().clearValue());
                colorClearPending = false;
            }
            if (depthClearPending) {
                Arrays.fill(depth, job.depth().clearValue());
                depthClearPending = false;
            }
        }

        private void loadTile(int tile, int x0, int y0, int w, int h) {
            solid = false;
            Attachment c = job.color();
            if (c.load()) {
                transfer(c, tile, x0, y0, w, h, color, false);
            } else {
                colorClearPending = true;
            }
            Attachment d = job.depth();
            if (d == null) {
                return;
            }
            if (d.load()) {
                transfer(d, tile, x0, y0, w, h, depth, false);
                depthMin = Float.POSITIVE_INFINITY;
                for (int row = 0; row < h; row++) {
                    for (int i = row * T; i < row * T + w; i++) {
                        depthMin = Math.min(depthMin, Float.intBitsToFloat(depth[i]));
                    }
                }
            } else {
                depthClearPending = true;
                depthMin = Float.intBitsToFloat(d.clearValue());
            }
        }

        private void storeTile(int tile, int x0, int y0, int w, int h) {
            if (!solid) {
                clearNow();
            }
            store(job.color(), colorStrip, tile, x0, y0, w, h, color, solidColor);
            if (job.depth() != null) {
                store(job.depth(), depthStrip, tile, x0, y0, w, h, depth, solidDepth);
            }
            solid = false;
        }

        /** Stores one attachment of the tile: tiled ones at once, linear ones into their strip. */
        private void store(Attachment a, Strip strip, int tile, int x0, int y0, int w, int h, int[] pixels, int solidValue) {
            if (!a.store()) {
                return;
            }
            if (a.layout() == Attachment.Layout.TILED) {
                if (solid) {
                    attachments.fill(a.address() + (long) tile * T * T * 4, solidValue, T * T);
                } else {
                    transfer(a, tile, x0, y0, w, h, pixels, true);
                }
            } else if (solid) {
                strip.fill(solidValue, x0, y0, w, h);
            } else {
                strip.put(pixels, x0, y0, w, h);
            }
        }

        /** Writes the strips of linear attachments (at the end of a tile row or of the core's run). */
        private void flushStrips() {
            if (job.color().store() && job.color().layout() == Attachment.Layout.LINEAR) {
                colorStrip.flush(attachments, job.color());
            }
            Attachment d = job.depth();
            if (d != null && d.store() && d.layout() == Attachment.Layout.LINEAR) {
                depthStrip.flush(attachments, d);
            }
        }

        /** Moves a tile between on-chip memory and an attachment: one run when tiled, a run per row when linear. */
        private void transfer(Attachment a, int tile, int x0, int y0, int w, int h, int[] pixels, boolean store) {
            if (a.layout() == Attachment.Layout.TILED) {
                long address = a.address() + (long) tile * T * T * 4;
                if (store) {
                    attachments.write(address, pixels, 0, T * T);
                } else {
                    attachments.read(address, pixels, 0, T * T);
                }
                return;
            }
            attachments.rows(a.address() + (long) y0 * a.strideBytes() + 4L * x0, a.strideBytes(), h, pixels, 0, T, w, store);
        }

        /** Rasterises the primitive in {@code record} into the tile at (x0, y0) of w x h pixels. */
        private void rasterise(int x0, int y0, int w, int h) {
            int[] p = record;
            long ax = p[0], ay = p[1], bx = p[2], by = p[3], cx = p[4], cy = p[5];
            // Edges v0->v1, v1->v2, v2->v0 as E = A * (x - xa) + B * (y - ya), inside >= 0;
            // at pixel (px, py) E = 256 * A * px + 256 * B * py + k, and the bias makes the
            // top-left rule a plain >= 0 test.
            long a0 = ay - by, b0 = bx - ax;
            long a1 = by - cy, b1 = cx - bx;
            long a2 = cy - ay, b2 = ax - cx;
            long k0 = a0 * (128 - ax) + b0 * (128 - ay) + (a0 > 0 || (a0 == 0 && b0 > 0) ? 0 : -1);
            long k1 = a1 * (128 - bx) + b1 * (128 - by) + (a1 > 0 || (a1 == 0 && b1 > 0) ? 0 : -1);
            long k2 = a2 * (128 - cx) + b2 * (128 - cy) + (a2 > 0 || (a2 == 0 && b2 > 0) ? 0 : -1);
            int minY = (int) Math.max(y0, Math.floorDiv(Math.min(ay, Math.min(by, cy)), 256));
            int maxY = (int) Math.min(y0 + h - 1, Math.floorDiv(Math.max(ay, Math.max(by, cy)), 256));
            int minX = (int) Math.max(x0, Math.floorDiv(Math.min(ax, Math.min(bx, cx)), 256));
            int maxX = (int) Math.min(x0 + w - 1, Math.floorDiv(Math.max(ax, Math.max(bx, cx)), 256));
            if (minY > maxY || minX > maxX) {
                return;
            }
            // Per edge over the covered rectangle: all in (skip it), all out (nothing to do), or mixed.
            int in0 = classify(a0, b0, k0, minX, minY, maxX, maxY);
            int in1 = classify(a1, b1, k1, minX, minY, maxX, maxY);
            int in2 = classify(a2, b2, k2, minX, minY, maxX, maxY);
            if (in0 < 0 || in1 < 0 || in2 < 0) {
                return;
            }
            double area = (double) (a0 * (cx - ax) + b0 * (cy - ay));
            double z0 = Float.intBitsToFloat(p[6]);
            double z1 = Float.intBitsToFloat(p[7]);
            double z2 = Float.intBitsToFloat(p[8]);
            // Planes of the attributes (bias-free k): v0 weighs E1 / area, v1 E2 / area, v2 E0 / area.
            long u0 = a0 * (128 - ax) + b0 * (128 - ay);
            long u1 = a1 * (128 - bx) + b1 * (128 - by);
            long u2 = a2 * (128 - cx) + b2 * (128 - cy);
            double zx = 256.0 * (z0 * a1 + z1 * a2 + z2 * a0) / area;
            double zy = 256.0 * (z0 * b1 + z1 * b2 + z2 * b0) / area;
            double zc = (z0 * u1 + z1 * u2 + z2 * u0) / area;
            boolean flat = p[9] == p[10] && p[10] == p[11];
            boolean depthTest = job.depth() != null;
            if (usc != null) {
                clearNow();
                shadeWithProgram(x0, y0, minX, maxX, minY, maxY, in0, in1, in2, area, zx, zy, zc,
                        new long[] {a0, b0, k0, u0, a1, b1, k1, u1, a2, b2, k2, u2});
                return;
            }
            boolean constantDepth = zx == 0 && zy == 0;
            float zConst = (float) zc;
            // Hierarchical depth: a flat primitive of one depth nearer than everything in the
            // tile passes every test, so its spans are plain fills.
            boolean allPass = constantDepth && flat && (!depthTest || (zConst < depthMin && zConst >= 0f && zConst <= 1f));
            if (allPass && depthTest) {
                depthMin = zConst;
            }
            int zBits = Float.floatToRawIntBits(zConst);
            if (allPass && in0 == 1 && in1 == 1 && in2 == 1 && minX == x0 && maxX == x0 + T - 1) {
                // The primitive covers whole rows of the tile: one fill per attachment, and if
                // it covers the whole tile, the clears it would overwrite are not needed.
                if (minY == y0 && maxY == y0 + T - 1 && depthTest) {
                    colorClearPending = false;
                    depthClearPending = false;
                    solid = true;
                    solidColor = p[9];
                    solidDepth = zBits;
                    return;
                }
                clearNow();
                Arrays.fill(color, (minY - y0) * T, (maxY - y0 + 1) * T, p[9]);
                if (depthTest) {
                    Arrays.fill(depth, (minY - y0) * T, (maxY - y0 + 1) * T, zBits);
                }
                return;
            }
            clearNow();
            for (int py = minY; py <= maxY; py++) {
                long row = 256L * py;
                span[0] = minX;
                span[1] = maxX;
                if ((in0 == 0 && !clip(a0, b0 * row + k0)) || (in1 == 0 && !clip(a1, b1 * row + k1))
                        || (in2 == 0 && !clip(a2, b2 * row + k2))) {
                    continue;
                }
                int lo = (int) span[0];
                int hi = (int) span[1];
                int base = (py - y0) * T - x0;
                if (allPass) {
                    Arrays.fill(color, base + lo, base + hi + 1, p[9]);
                    if (depthTest) {
                        Arrays.fill(depth, base + lo, base + hi + 1, zBits);
                    }
                } else if (flat && constantDepth && zConst >= 0f && zConst <= 1f && nearerThanSpan(base + lo, base + hi, zBits)) {
                    Arrays.fill(color, base + lo, base + hi + 1, p[9]);
                    Arrays.fill(depth, base + lo, base + hi + 1, zBits);
                    depthMin = Math.min(depthMin, zConst);
                } else if (flat) {
                    double zRow = zy * py + zc;
                    int c = p[9];
                    if (depthTest) {
                        for (int px = lo; px <= hi; px++) {
                            float z = (float) (zx * px + zRow);
                            int i = base + px;
                            if (z < Float.intBitsToFloat(depth[i]) && z >= 0f && z <= 1f) {
                                depth[i] = Float.floatToRawIntBits(z);
                                color[i] = c;
                                depthMin = Math.min(depthMin, z);
                            }
                        }
                    } else {
                        Arrays.fill(color, base + lo, base + hi + 1, c);
                    }
                } else {
                    shade(lo, hi, py, base, zx, zy * py + zc, area, a0, b0, u0, a1, b1, u1, a2, b2, u2, depthTest);
                }
            }
        }

        /**
         * Whether depth {@code zBits} (a float in [0, 1]) is nearer than every stored depth in
         * {@code depth[from..to]}: for non-negative floats other than NaN the bit patterns order
         * as the values do, so integer minimum and maximum (which vectorise) decide it.
         */
        private boolean nearerThanSpan(int from, int to, int zBits) {
            if (job.depth() == null) {
                return true;
            }
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (int i = from; i <= to; i++) {
                min = Math.min(min, depth[i]);
                max = Math.max(max, depth[i]);
            }
            return min >= 0 && max <= 0x7f80_0000 && zBits < min;
        }

        /**
         * Where an edge stands over a rectangle of pixels: 1 if every pixel centre is inside, -1
         * if none is, 0 if it must be decided per row. E is linear, so the corners decide.
         */
        private static int classify(long a, long b, long k, int x0, int y0, int x1, int y1) {
            long e00 = 256 * (a * x0 + b * y0) + k;
            long e10 = 256 * (a * x1 + b * y0) + k;
            long e01 = 256 * (a * x0 + b * y1) + k;
            long e11 = 256 * (a * x1 + b * y1) + k;
            if (e00 >= 0 && e10 >= 0 && e01 >= 0 && e11 >= 0) {
                return 1;
            }
            if (e00 < 0 && e10 < 0 && e01 < 0 && e11 < 0) {
                return -1;
            }
            return 0;
        }

        /**
         * Narrows {@link #span} to the pixels where {@code 256 * alpha * px + beta >= 0}; false if
         * nothing is left.
         */
        private boolean clip(long alpha, long beta) {
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

        /**
         * The programmable path: early depth test per fragment, then the program over the
         * passing fragments, then their colours. {@code e} holds the edges' A, B, biased k and
         * bias-free k, edge by edge.
         */
        private void shadeWithProgram(int x0, int y0, int minX, int maxX, int minY, int maxY, int in0, int in1, int in2,
                double area, double zx, double zy, double zc, long[] e) {
            int[] p = record;
            double[] cx = new double[4];
            double[] cy = new double[4];
            double[] cc = new double[4];
            for (int ch = 0; ch < 4; ch++) {
                double v0 = (p[9] >>> 8 * ch & 0xff) / 255.0;
                double v1 = (p[10] >>> 8 * ch & 0xff) / 255.0;
                double v2 = (p[11] >>> 8 * ch & 0xff) / 255.0;
                cx[ch] = 256.0 * (v0 * e[4] + v1 * e[8] + v2 * e[0]) / area;
                cy[ch] = 256.0 * (v0 * e[5] + v1 * e[9] + v2 * e[1]) / area;
                cc[ch] = (v0 * e[7] + v1 * e[11] + v2 * e[3]) / area;
            }
            boolean depthTest = job.depth() != null;
            int n = 0;
            for (int py = minY; py <= maxY; py++) {
                long row = 256L * py;
                span[0] = minX;
                span[1] = maxX;
                if ((in0 == 0 && !clip(e[0], e[1] * row + e[2])) || (in1 == 0 && !clip(e[4], e[5] * row + e[6]))
                        || (in2 == 0 && !clip(e[8], e[9] * row + e[10]))) {
                    continue;
                }
                int base = (py - y0) * T - x0;
                double zRow = zy * py + zc;
                for (int px = (int) span[0]; px <= span[1]; px++) {
                    int i = base + px;
                    float z = (float) (zx * px + zRow);
                    if (depthTest) {
                        if (!(z < Float.intBitsToFloat(depth[i]) && z >= 0f && z <= 1f)) {
                            continue;
                        }
                        depth[i] = Float.floatToRawIntBits(z);
                        depthMin = Math.min(depthMin, z);
                    }
                    fragmentPixel[n] = i;
                    for (int ch = 0; ch < 4; ch++) {
                        fragmentIn[ch][n] = Float.floatToRawIntBits((float) (cx[ch] * px + cy[ch] * py + cc[ch]));
                    }
                    fragmentIn[4][n] = px;
                    fragmentIn[5][n] = py;
                    fragmentIn[6][n] = Float.floatToRawIntBits(z);
                    n++;
                }
            }
            if (n == 0) {
                return;
            }
            usc.runThreads(n, fragmentIn, fragmentOut);
            for (int j = 0; j < n; j++) {
                int packed = 0;
                for (int ch = 0; ch < 4; ch++) {
                    float v = Float.intBitsToFloat(fragmentOut[ch][j]);
                    int byteValue = !(v > 0) ? 0 : v >= 1 ? 255 : Math.round(v * 255);
                    packed |= byteValue << 8 * ch;
                }
                color[fragmentPixel[j]] = packed;
            }
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
                    if (!(z < Float.intBitsToFloat(depth[i]) && z >= 0f && z <= 1f)) {
                        continue;
                    }
                    depth[i] = Float.floatToRawIntBits(z);
                    depthMin = Math.min(depthMin, z);
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
