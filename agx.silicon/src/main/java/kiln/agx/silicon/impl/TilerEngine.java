package kiln.agx.silicon.impl;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.api.silicon.TilerJob;
import kiln.agx.api.silicon.TilerResult;
import kiln.agx.api.silicon.TilerUnit;
import kiln.agx.api.isa.Isa;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.UatAgent;
import kiln.agx.silicon.impl.usc.DispatchShape;
import kiln.agx.silicon.impl.usc.IllegalProgramException;
import kiln.agx.silicon.impl.usc.Program;
import kiln.agx.silicon.impl.usc.UscCore;

/**
 * The tiling engine ({@code TE}): transforms triangles and appends each to the lists of the tiles
 * its bounding box touches, in submission order, in the heap formats of {@link RenderFormats}.
 * Before writing a triangle it works out the heap bytes the triangle needs; if they do not fit,
 * it stops there and reports the overflow, so every triangle is binned whole or not at all.
 */
final class TilerEngine implements TilerUnit {
    /** {@code TE(0)}: the tiling engine of cluster 0. */
    static final int UNIT_TE = 0x06;
    /** {@code VDM(0)}: the vertex data master, which fetches vertex programs. */
    static final int UNIT_VDM = 0x08;
    /** Triangles whose vertices are shaded together. */
    static final int SHADE_CHUNK = 1024;
    /** Vertices further out than this many sub-pixels are beyond the guard band: their triangle is dropped. */
    static final long GUARD_BAND = 1L << 27;

    private final AgxSilicon silicon;

    TilerEngine(AgxSilicon silicon) {
        this.silicon = silicon;
    }

    @Override
    public CompletableFuture<TilerResult> bin(TilerJob job) {
        UnitRun run = new UnitRun(silicon);
        AtomicReference<int[]> next = new AtomicReference<>(new int[] {job.firstTriangle(), 0});
        AtomicLong used = new AtomicLong();
        run.submit(() -> {
            run.markStart();
            Binner binner = new Binner(job, new UnitMemory(new UatTranslator(silicon.uat(), job.vmSlot(), UNIT_TE)), run,
                    vertexShader(job, run));
            binner.run();
            next.set(new int[] {binner.next, binner.overflow ? 1 : 0});
            used.set(binner.used);
            run.finish();
        });
        return run.future.thenApply(result -> new TilerResult(result,
                result.status() == DispatchResult.Status.COMPLETED ? next.get()[0] : job.firstTriangle(),
                next.get()[1] != 0, used.get()));
    }

    /** The USC running the job's vertex program (on core 0), or {@code null} without one. */
    private UscCore vertexShader(TilerJob job, UnitRun run) {
        if (job.vertexProgram() == 0) {
            return null;
        }
        if (job.uniformCount() < 0 || job.uniformCount() > Isa.UNIFORMS) {
            throw new IllegalProgramException("bad uniform count " + job.uniformCount());
        }
        GpuMemory fetch = silicon.uat().context(job.vmSlot(), UatAgent.GPU, UNIT_VDM);
        Program program = Program.decode(i -> fetch.readLong(job.vertexProgram() + (long) i * Isa.WORD_BYTES))
                .scaled(UscCore.MAX_BATCH);
        long[] uniforms = new long[Isa.UNIFORMS];
        for (int i = 0; i < job.uniformCount(); i++) {
            uniforms[i] = fetch.readLong(job.uniformsAddress() + 8L * i);
        }
        return new UscCore(program, uniforms, new UatTranslator(silicon.uat(), job.vmSlot(), ComputeMaster.UNIT_UL1C),
                new DispatchShape(1, 1, 1, UscCore.MAX_BATCH, 1, 1), run);
    }

    /** One job's state. */
    private static final class Binner {
        private final TilerJob job;
        private final UnitMemory memory;
        private final UnitRun run;
        private final int tilesX;
        private final int tilesY;
        private final int[] head;
        private final int[] tail;
        private final int[] tailCount;
        private final int[] count;
        private final int[] vertex = new int[8];
        private final UscCore shader;
        private int[][] shadedIn;
        private int[][] shadedOut;
        private int chunkStart = -1;
        private int chunkTriangles;
        private final int[] record = new int[12];
        int next;
        boolean overflow;
        long used;

        Binner(TilerJob job, UnitMemory memory, UnitRun run, UscCore shader) {
            this.job = job;
            this.memory = memory;
            this.run = run;
            this.shader = shader;
            if (shader != null) {
                shadedIn = new int[9][3 * SHADE_CHUNK];
                shadedOut = new int[8][3 * SHADE_CHUNK];
            }
            if (job.width() < 1 || job.height() < 1 || job.width() > RenderFormats.MAX_TARGET_PIXELS
                    || job.height() > RenderFormats.MAX_TARGET_PIXELS || job.triangleCount() < 0 || job.firstTriangle() < 0
                    || job.firstTriangle() > job.triangleCount() || job.heapBytes() < RenderFormats.HEAP_HEADER_BYTES
                    || job.heapBytes() > Integer.MAX_VALUE) {
                throw new IllegalProgramException("bad tiler job " + job);
            }
            tilesX = RenderFormats.tiles(job.width());
            tilesY = RenderFormats.tiles(job.height());
            int tiles = tilesX * tilesY;
            head = new int[tiles];
            tail = new int[tiles];
            tailCount = new int[tiles];
            count = new int[tiles];
        }

        void run() {
            memory.sync();
            if (job.resetHeap()) {
                used = RenderFormats.HEAP_HEADER_BYTES;
            } else {
                used = Integer.toUnsignedLong(memory.readInt(job.heapAddress()));
                readTileMap();
            }
            next = job.firstTriangle();
            while (next < job.triangleCount()) {
                if ((next & 1023) == 0 && run.stopRequested()) {
                    return;
                }
                if (!binTriangle(next)) {
                    overflow = true;
                    break;
                }
                next++;
            }
            memory.writeInt(job.heapAddress(), (int) used);
            writeTileMap();
        }

        private void readTileMap() {
            int[] entry = new int[2];
            for (int t = 0; t < head.length; t++) {
                memory.read(job.tileMapAddress() + (long) t * RenderFormats.TILE_ENTRY_BYTES, entry, 0, 2);
                head[t] = entry[0];
                count[t] = entry[1];
                int block = entry[0];
                while (block != 0) {
                    tail[t] = block;
                    tailCount[t] = memory.readInt(job.heapAddress() + block + 4);
                    block = memory.readInt(job.heapAddress() + block);
                }
            }
        }

        private void writeTileMap() {
            int[] map = new int[head.length * 2];
            for (int t = 0; t < head.length; t++) {
                map[2 * t] = head[t];
                map[2 * t + 1] = count[t];
            }
            memory.write(job.tileMapAddress(), map, 0, map.length);
        }

        /** Bins triangle {@code t}; false if the heap cannot hold it (nothing written). */
        private boolean binTriangle(int t) {
            long[] fx = new long[3];
            long[] fy = new long[3];
            float[] z = new float[3];
            int[] colour = new int[3];
            if (shader != null && (t < chunkStart || t >= chunkStart + chunkTriangles)) {
                shadeChunk(t);
            }
            for (int i = 0; i < 3; i++) {
                if (shader != null) {
                    for (int k = 0; k < 8; k++) {
                        vertex[k] = shadedOut[k][3 * (t - chunkStart) + i];
                    }
                } else {
                    memory.read(job.vertexAddress() + vertexIndex(t, i) * RenderFormats.VERTEX_BYTES, vertex, 0, 8);
                }
                float w = Float.intBitsToFloat(vertex[3]);
                if (!(w > 0)) {
                    return true;
                }
                double sx = (Float.intBitsToFloat(vertex[0]) / w + 1.0) * 0.5 * job.width();
                double sy = (1.0 - Float.intBitsToFloat(vertex[1]) / w) * 0.5 * job.height();
                if (!(Math.abs(sx) * RenderFormats.SUBPIXELS < GUARD_BAND) || !(Math.abs(sy) * RenderFormats.SUBPIXELS < GUARD_BAND)) {
                    return true;
                }
                fx[i] = Math.round(sx * RenderFormats.SUBPIXELS);
                fy[i] = Math.round(sy * RenderFormats.SUBPIXELS);
                z[i] = Float.intBitsToFloat(vertex[2]) / w * 0.5f + 0.5f;
                colour[i] = unorm8(vertex[4]) | unorm8(vertex[5]) << 8 | unorm8(vertex[6]) << 16 | unorm8(vertex[7]) << 24;
            }
            long area = (fx[1] - fx[0]) * (fy[2] - fy[0]) - (fy[1] - fy[0]) * (fx[2] - fx[0]);
            if (area == 0) {
                return true;
            }
            if (area < 0) {
                swap(fx, fy, z, colour);
            }
            int minX = (int) Math.max(0, Math.floorDiv(Math.min(fx[0], Math.min(fx[1], fx[2])), RenderFormats.SUBPIXELS));
            int minY = (int) Math.max(0, Math.floorDiv(Math.min(fy[0], Math.min(fy[1], fy[2])), RenderFormats.SUBPIXELS));
            int maxX = (int) Math.min(job.width() - 1, Math.floorDiv(Math.max(fx[0], Math.max(fx[1], fx[2])), RenderFormats.SUBPIXELS));
            int maxY = (int) Math.min(job.height() - 1, Math.floorDiv(Math.max(fy[0], Math.max(fy[1], fy[2])), RenderFormats.SUBPIXELS));
            if (minX > maxX || minY > maxY) {
                return true;
            }
            int tx0 = minX / RenderFormats.TILE_PIXELS;
            int tx1 = maxX / RenderFormats.TILE_PIXELS;
            int ty0 = minY / RenderFormats.TILE_PIXELS;
            int ty1 = maxY / RenderFormats.TILE_PIXELS;
            long need = RenderFormats.PRIMITIVE_BYTES;
            for (int ty = ty0; ty <= ty1; ty++) {
                for (int tx = tx0; tx <= tx1; tx++) {
                    int tile = ty * tilesX + tx;
                    if (tail[tile] == 0 || tailCount[tile] == RenderFormats.BLOCK_ENTRIES) {
                        need += RenderFormats.BLOCK_BYTES;
                    }
                }
            }
            if (used + need > job.heapBytes()) {
                return false;
            }
            int primitive = (int) used;
            used += RenderFormats.PRIMITIVE_BYTES;
            for (int i = 0; i < 3; i++) {
                record[2 * i] = (int) fx[i];
                record[2 * i + 1] = (int) fy[i];
                record[6 + i] = Float.floatToRawIntBits(z[i]);
                record[9 + i] = colour[i];
            }
            memory.write(job.heapAddress() + primitive, record, 0, record.length);
            for (int ty = ty0; ty <= ty1; ty++) {
                for (int tx = tx0; tx <= tx1; tx++) {
                    append(ty * tilesX + tx, primitive);
                }
            }
            return true;
        }

        private long vertexIndex(int triangle, int corner) {
            long index = 3L * triangle + corner;
            if (job.indexAddress() != 0) {
                index = Integer.toUnsignedLong(memory.readInt(job.indexAddress() + 4 * index));
            }
            return index;
        }

        /** Runs the vertex program over the vertices of the triangles from {@code first}. */
        private void shadeChunk(int first) {
            chunkStart = first;
            chunkTriangles = Math.min(SHADE_CHUNK, job.triangleCount() - first);
            int n = 3 * chunkTriangles;
            for (int j = 0; j < n; j++) {
                long index = vertexIndex(first + j / 3, j % 3);
                memory.read(job.vertexAddress() + index * RenderFormats.VERTEX_BYTES, vertex, 0, 8);
                for (int k = 0; k < 8; k++) {
                    shadedIn[k][j] = vertex[k];
                }
                shadedIn[8][j] = (int) index;
            }
            shader.runThreads(n, shadedIn, shadedOut);
        }

        private void append(int tile, int primitive) {
            long heap = job.heapAddress();
            if (tail[tile] == 0 || tailCount[tile] == RenderFormats.BLOCK_ENTRIES) {
                int block = (int) used;
                used += RenderFormats.BLOCK_BYTES;
                memory.write(heap + block, new int[] {0, 0}, 0, 2);
                if (tail[tile] == 0) {
                    head[tile] = block;
                } else {
                    memory.writeInt(heap + tail[tile], block);
                }
                tail[tile] = block;
                tailCount[tile] = 0;
            }
            memory.writeInt(heap + tail[tile] + 8 + 4L * tailCount[tile], primitive);
            tailCount[tile]++;
            memory.writeInt(heap + tail[tile] + 4, tailCount[tile]);
            count[tile]++;
        }

        private static void swap(long[] fx, long[] fy, float[] z, int[] colour) {
            long t = fx[1];
            fx[1] = fx[2];
            fx[2] = t;
            t = fy[1];
            fy[1] = fy[2];
            fy[2] = t;
            float zt = z[1];
            z[1] = z[2];
            z[2] = zt;
            int c = colour[1];
            colour[1] = colour[2];
            colour[2] = c;
        }

        private static int unorm8(int floatBits) {
            float v = Float.intBitsToFloat(floatBits);
            if (!(v > 0)) {
                return 0;
            }
            return v >= 1 ? 255 : Math.round(v * 255);
        }
    }
}
