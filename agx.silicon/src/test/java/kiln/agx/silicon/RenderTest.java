package kiln.agx.silicon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kiln.agx.api.hw.FaultReason;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.Attachment;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.FragmentJob;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.api.silicon.TilerJob;
import kiln.agx.api.silicon.TilerResult;
import kiln.agx.silicon.ComputeHarness.Buffer;
import kiln.agx.silicon.Scene.Image;
import kiln.agx.silicon.Scene.Vertex;

/**
 * Golden scenes: each rendered on the silicon equals the independent per-pixel reference
 * (coverage and colour exactly, depth to float rounding), whatever the heap size (partial
 * renders), chip or worker count. The digests pin the images against regressions.
 */
class RenderTest {
    private static final int BLACK = 0xff000000;
    private static ComputeHarness gpu;

    @BeforeAll
    static void powerOn() throws Exception {
        gpu = new ComputeHarness();
    }

    @AfterAll
    static void powerOff() {
        gpu.close();
    }

    static Scene depthScene(int w, int h) {
        // A far red triangle drawn after a near blue one, and a near green after a far yellow:
        // the near one wins in both orders.
        return new Scene()
                .pixels(w, h, 10, 10, 90, 20, 30, 70, 0.2f, 0xffff0000)
                .pixels(w, h, 5, 5, 95, 60, 20, 90, 0.6f, 0xff0000ff)
                .pixels(w, h, 40, 30, 110, 40, 60, 95, 0.7f, 0xff00ffff)
                .pixels(w, h, 50, 35, 100, 80, 45, 90, 0.1f, 0xff00ff00);
    }

    static Scene edgeScene(int w, int h) {
        // A fan of eight triangles around a centre off the pixel grid, plus a quad split along
        // its diagonal with both halves' vertices on exact pixel centres and edges.
        Scene s = new Scene();
        double cx = 50.37;
        double cy = 47.5;
        for (int i = 0; i < 8; i++) {
            double a0 = Math.PI * 2 * i / 8;
            double a1 = Math.PI * 2 * (i + 1) / 8;
            s.pixels(w, h, cx, cy, cx + 40 * Math.cos(a0), cy + 40 * Math.sin(a0), cx + 40 * Math.cos(a1),
                    cy + 40 * Math.sin(a1), 0.5f, 0xff000000 | (0x1f * (i + 1)) << 8 | 0x40);
        }
        s.pixels(w, h, 96, 8, 120, 8, 120, 40, 0.5f, 0xff0000ff);
        s.pixels(w, h, 96, 8, 120, 40, 96, 40, 0.5f, 0xffff0000);
        return s;
    }

    static Scene manySmall(int w, int h, int count) {
        Random random = new Random(42);
        Scene s = new Scene();
        for (int i = 0; i < count; i++) {
            double x = random.nextDouble() * w;
            double y = random.nextDouble() * h;
            s.pixels(w, h, x, y, x + random.nextDouble() * 6 - 3, y + random.nextDouble() * 6 - 3,
                    x + random.nextDouble() * 6 - 3, y + random.nextDouble() * 6 - 3, random.nextFloat(),
                    0xff000000 | random.nextInt(0x1000000));
        }
        return s;
    }

    static Scene hugeAndShaded(int w, int h) {
        // Two triangles far larger than the target (vertices well outside it) and one with a
        // different colour at each vertex, tilted in depth.
        return new Scene()
                .pixels(w, h, -3000, -2000, 4000, -100, -500, 5000, 0.9f, 0xff303030)
                .pixels(w, h, 9000, 9000, -7000, 50, 200, -6000, 0.8f, 0xff808040)
                .triangle(new Vertex(-0.8f, -0.9f, -0.5f, 1, 1, 0, 0, 1), new Vertex(0.9f, -0.6f, 0.4f, 1, 0, 1, 0, 1),
                        new Vertex(-0.1f, 0.85f, 0.0f, 1, 0, 0, 1, 0.5f));
    }

    private static void assertMatchesReference(Scene scene, Image image) {
        Image reference = scene.reference(image.width(), image.height(), BLACK);
        for (int i = 0; i < reference.color().length; i++) {
            int want = reference.color()[i];
            int got = image.color()[i];
            boolean close = true;
            for (int ch = 0; ch < 4; ch++) {
                close &= Math.abs((want >>> 8 * ch & 0xff) - (got >>> 8 * ch & 0xff)) <= 1;
            }
            if (!close) {
                fail(String.format("pixel (%d, %d): reference %08x, silicon %08x", i % image.width(), i / image.width(),
                        want, got));
            }
            if (Math.abs(reference.depth()[i] - image.depth()[i]) > 1e-6f) {
                fail("depth at " + i + ": " + reference.depth()[i] + " vs " + image.depth()[i]);
            }
        }
    }

    @Test
    void depthDecidesWhateverTheOrder() throws Exception {
        Scene scene = depthScene(128, 100);
        Image image = scene.render(gpu, 128, 100, 1 << 20, BLACK);
        assertMatchesReference(scene, image);
        assertEquals(0xff00ff00, image.color()[60 * 128 + 60], "near green over far yellow");
        assertEquals(0xffff0000, image.color()[15 * 128 + 30], "near red over far blue drawn later");
        assertEquals(0.55f, image.depth()[60 * 128 + 60], 1e-6f, "depth is ndc.z / 2 + 0.5");
        assertEquals(BLACK, image.color()[99 * 128 + 127]);
    }

    @Test
    void sharedEdgesCoverEveryPixelExactlyOnce() throws Exception {
        Scene scene = edgeScene(128, 96);
        Image image = scene.render(gpu, 128, 96, 1 << 20, BLACK);
        assertMatchesReference(scene, image);
        // The quad: every pixel whose centre is inside [96, 120] x [8, 40] is covered by exactly one half.
        for (int y = 8; y < 40; y++) {
            for (int x = 96; x < 120; x++) {
                int c = image.color()[y * 128 + x];
                assertTrue(c == 0xff0000ff || c == 0xffff0000, "gap at " + x + "," + y);
            }
        }
        assertEquals(BLACK, image.color()[40 * 128 + 100], "the bottom edge is not a top or left edge: out");
        assertEquals(BLACK, image.color()[20 * 128 + 120], "nor is the right edge");
        // The fan: no pixel inside the octagon stays background.
        for (int y = 20; y < 75; y++) {
            for (int x = 23; x < 78; x++) {
                double dx = x + 0.5 - 50.37;
                double dy = y + 0.5 - 47.5;
                if (dx * dx + dy * dy < 36 * 36) {
                    assertTrue(image.color()[y * 128 + x] != BLACK, "gap in the fan at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void manySmallTrianglesMatchTheReference() throws Exception {
        Scene scene = manySmall(160, 120, 3000);
        Image image = scene.render(gpu, 160, 120, 1 << 22, BLACK);
        assertMatchesReference(scene, image);
    }

    @Test
    void hugeAndInterpolatedTrianglesMatchTheReference() throws Exception {
        Scene scene = hugeAndShaded(200, 150);
        Image image = scene.render(gpu, 200, 150, 1 << 20, BLACK);
        assertMatchesReference(scene, image);
        int centre = image.color()[75 * 200 + 100];
        assertTrue((centre & 0xff) > 0 && (centre >>> 8 & 0xff) > 0 && (centre >>> 16 & 0xff) > 0,
                String.format("interpolated colour %08x", centre));
    }

    @Test
    void aSmallHeapForcesPartialRendersWithTheSameImage() throws Exception {
        Scene scene = manySmall(96, 64, 600).pixels(96, 64, 0, 0, 96, 0, 0, 64, 0.95f, 0xff202020);
        Image whole = scene.render(gpu, 96, 64, 1 << 20, BLACK);
        Image partial = scene.render(gpu, 96, 64, 4096, BLACK);
        assertEquals(1, whole.passes());
        assertTrue(partial.passes() > 5, "passes: " + partial.passes());
        assertArrayEquals(whole.color(), partial.color());
        assertArrayEquals(whole.depth(), partial.depth());
    }

    @Test
    void tiledAttachmentsHoldTheSameImage() throws Exception {
        Scene scene = manySmall(100, 70, 800); // 100 x 70: partial tiles on two edges
        Image linear = scene.render(gpu, 100, 70, 1 << 20, BLACK);
        Image tiled = scene.render(gpu, 100, 70, 1 << 20, BLACK, Attachment.Layout.TILED);
        assertArrayEquals(linear.color(), tiled.color());
        assertArrayEquals(linear.depth(), tiled.depth());
        Image tiledPartial = scene.render(gpu, 100, 70, 4096, BLACK, Attachment.Layout.TILED);
        assertTrue(tiledPartial.passes() > 1);
        assertArrayEquals(linear.color(), tiledPartial.color());
    }

    @Test
    void theSameBytesOnEveryChipAndWorkerCount() throws Exception {
        Scene scene = manySmall(150, 90, 1500);
        String expected = scene.render(gpu, 150, 90, 1 << 22, BLACK).digest();
        for (var part : List.of(
                new Object[] {TestMachine.LARGE, SiliconOptions.defaults().withHostWorkers(3)},
                new Object[] {TestMachine.SMALL, SiliconOptions.defaults().withHostWorkers(1).withCoreMasks(List.of(0x05))})) {
            try (ComputeHarness other = new ComputeHarness((kiln.agx.api.hw.HwConfig) part[0], (SiliconOptions) part[1])) {
                assertEquals(expected, scene.render(other, 150, 90, 1 << 22, BLACK).digest());
            }
        }
    }

    @Test
    void goldenDigests() throws Exception {
        // Java floating point is the same everywhere, so these are the images on any machine.
        assertEquals("f988c2e971cfd5ab", depthScene(128, 100).render(gpu, 128, 100, 1 << 20, BLACK).digest());
        assertEquals("378be0edc48fe050", edgeScene(128, 96).render(gpu, 128, 96, 1 << 20, BLACK).digest());
        assertEquals("195fde129041e207", manySmall(160, 120, 3000).render(gpu, 160, 120, 1 << 22, BLACK).digest());
        assertEquals("234f1e25ecb336c1", hugeAndShaded(200, 150).render(gpu, 200, 150, 1 << 20, BLACK).digest());
    }

    @Test
    void fragmentProgramsShadeEveryCoveredPixel() throws Exception {
        int w = 96;
        int h = 80;
        Scene scene = new Scene().pixels(w, h, 3, 2, 90, 10, 20, 77, 0.5f, 0xff0064c8) // R 200, G 100, B 0
                .pixels(w, h, 50, 40, 95, 45, 60, 79, 0.25f, 0xff0000ff); // nearer, over it
        Buffer texture = gpu.buffer(4L * w * h);
        for (int i = 0; i < w * h; i++) {
            texture.setFloat(i, (i % 7) / 7f);
        }
        long program = gpu.program("""
                ; red = interpolated red / 2, green = texture[y * w + x], blue = checkerboard, alpha = 1
                fmul r0, r0, #0.5
                umov r8, u1.lo
                imul r9, r5, r8
                iadd r9, r9, r4
                ld r1, u0, r9
                xor r7, r4, r5
                and r7, r7, #1
                i2f r2, r7
                movi r3, #0x3f800000
                stop
                """);
        Image shaded = scene.render(gpu, w, h, 1 << 20, 0, Attachment.Layout.LINEAR, program,
                new long[] {texture.va(), w});
        Image fixed = scene.reference(w, h, 0);
        int covered = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int ref = fixed.color()[i];
                int expected = 0;
                if (ref != 0) {
                    covered++;
                    int red = Math.round((ref & 0xff) / 255f * 0.5f * 255);
                    int green = Math.round((i % 7) / 7f * 255);
                    int blue = ((x ^ y) & 1) * 255;
                    expected = red | green << 8 | blue << 16 | 0xff << 24;
                }
                int got = shaded.color()[i];
                for (int ch = 0; ch < 4; ch++) {
                    assertTrue(Math.abs((expected >>> 8 * ch & 0xff) - (got >>> 8 * ch & 0xff)) <= 1,
                            String.format("(%d, %d): expected %08x got %08x", x, y, expected, got));
                }
                assertEquals(fixed.depth()[i], shaded.depth()[i], 1e-6f);
            }
        }
        assertTrue(covered > 2000, "covered " + covered);
    }

    @Test
    void aFaultingFragmentProgramFailsTheJobAsItsCore() throws Exception {
        Scene scene = depthScene(64, 64);
        long program = gpu.program("""
                movi r9, #0
                ld r0, u0, r9
                stop
                """);
        IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> scene.render(gpu, 64, 64, 1 << 20, 0, Attachment.Layout.LINEAR, program, new long[] {0x7_0000_0000L}));
        assertTrue(failure.getMessage().contains("UL1C"), failure.getMessage());
    }

    @Test
    void vertexProgramsTransformBeforeBinning() throws Exception {
        int w = 128;
        int h = 64;
        // The same triangles given in pixels (transformed by the program, red and blue swapped
        // by it) and in clip space with the colours already swapped: the same image.
        double[][] tris = {{4, 2, 120, 10, 30, 60}, {64, 0, 127, 63, 0, 63}, {10.5, 40.25, 100, 20, 90, 62}};
        int[] colours = {0xff0000ff, 0xff00ff00, 0xffff8040};
        Scene inPixels = new Scene();
        Scene inClip = new Scene();
        for (int t = 0; t < tris.length; t++) {
            double[] v = tris[t];
            int c = colours[t];
            int swapped = (c & 0xff00ff00) | (c >>> 16 & 0xff) | (c & 0xff) << 16;
            float z = 0.1f * t;
            inPixels.triangle(Vertex.at((float) v[0], (float) v[1], z, c), Vertex.at((float) v[2], (float) v[3], z, c),
                    Vertex.at((float) v[4], (float) v[5], z, c));
            inClip.pixels(w, h, v[0], v[1], v[2], v[3], v[4], v[5], z, swapped);
        }
        long program = gpu.program("""
                umov r9, u0.lo          ; 2 / width
                umov r10, u0.hi         ; 2 / height
                fmul r0, r0, r9
                fsub r0, r0, #1.0
                fmul r1, r1, r10
                movi r12, #0x3f800000
                fsub r1, r12, r1
                mov r12, r4
                mov r4, r6
                mov r6, r12
                stop
                """);
        long uniform = Integer.toUnsignedLong(Float.floatToRawIntBits(2f / w))
                | (long) Float.floatToRawIntBits(2f / h) << 32;
        Image transformed = inPixels.renderWithVertexProgram(gpu, w, h, program, new long[] {uniform});
        Image direct = inClip.render(gpu, w, h, 1 << 20, BLACK);
        assertArrayEquals(direct.color(), transformed.color());
        assertTrue(java.util.Arrays.stream(direct.color()).filter(c -> c != BLACK).count() > 3000);
    }

    @Test
    void faultsNameTheUnit() throws Exception {
        Scene scene = depthScene(64, 64);
        Buffer vb = gpu.buffer(4096);
        Buffer heap = gpu.buffer(1 << 16, UatProt.GPU_SHARED_RO);
        Buffer tileMap = gpu.buffer(RenderFormats.tileMapBytes(64, 64));
        TilerResult tiled = gpu.machine.silicon.tiler().bin(new TilerJob(ComputeHarness.SLOT, vb.va(), 0, 0, 0, 64, 64,
                tileMap.va(), heap.va(), 1 << 16, true)).get(10, TimeUnit.SECONDS);
        assertEquals(DispatchResult.Status.FAULT, tiled.result().status());
        assertEquals(FaultReason.READ_ONLY, tiled.result().fault().reason());
        assertEquals("TE(0)", tiled.result().fault().unitName());

        Buffer goodHeap = gpu.buffer(1 << 16);
        Buffer color = gpu.buffer(64 * 64 * 4, UatProt.GPU_SHARED_RO);
        DispatchResult frag = gpu.machine.silicon.fragment().render(new FragmentJob(ComputeHarness.SLOT, 64, 64,
                tileMap.va(), goodHeap.va(), Attachment.cleared(color.va(), 256, 0), null)).get(10, TimeUnit.SECONDS);
        assertEquals(DispatchResult.Status.FAULT, frag.status());
        assertTrue(frag.fault().unitName().startsWith("ZLS("), frag.fault().unitName());
        assertEquals(scene.triangles(), 4);
    }

    /**
     * A render that faults mid-tile (its tile map is unmapped: the fault comes after the tile's
     * colour and depth clears were set up, before they ran) leaves nothing behind for the next
     * render in that UAT slot, whoever's it is: a render without depth then completes with its
     * clear colour instead of failing on the first job's pending depth clear.
     */
    @Test
    void aRenderThatFaultedMidTileLeavesNothingToTheNext() throws Exception {
        long unmappedTileMap = 0x40_0000_0000L;
        Buffer heap = gpu.buffer(1 << 16);
        Buffer color = gpu.buffer(64 * 64 * 4);
        Buffer depth = gpu.buffer(64 * 64 * 4);
        for (int round = 0; round < 4; round++) {
            DispatchResult faulted = gpu.machine.silicon.fragment().render(new FragmentJob(ComputeHarness.SLOT, 64, 64,
                    unmappedTileMap, heap.va(), Attachment.cleared(color.va(), 256, 0),
                    Attachment.cleared(depth.va(), 256, Float.floatToRawIntBits(1f)))).get(10, TimeUnit.SECONDS);
            assertEquals(DispatchResult.Status.FAULT, faulted.status());
            assertTrue(faulted.fault().unitName().startsWith("IPF("), faulted.fault().unitName());

            Buffer tileMap = gpu.buffer(RenderFormats.tileMapBytes(64, 64)); // no primitives
            int clear = 0xff203040 + round;
            DispatchResult next = gpu.machine.silicon.fragment().render(new FragmentJob(ComputeHarness.SLOT, 64, 64,
                    tileMap.va(), heap.va(), Attachment.cleared(color.va(), 256, clear), null)).get(10, TimeUnit.SECONDS);
            assertEquals(DispatchResult.Status.COMPLETED, next.status(), () -> "after a faulted render: " + next);
            for (int i = 0; i < 64 * 64; i += 61) {
                assertEquals(clear, color.getInt(i), "pixel " + i);
            }
        }
    }
}
