package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.*;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import kiln.agx.api.silicon.ControlStreams;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.client.drm.AsahiDevice.Render;
import kiln.agx.client.drm.AsahiDevice.Sync;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;

/**
 * A 3D scene rendered through the whole UAPI: the same golden bytes on every supported (chip,
 * firmware) pair (t8103 with 13.2 and with 12.3, t8112 with 13.2); a scene too big for the first
 * TVB renders right through partial renders, reports the overflow, and the grown heap renders the
 * next one without.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AsahiRenderIT extends KilnTestBase {
    private static final int W = 320, H = 200;
    /** SHA-256 of the colour target of {@link #scene} (pinned; the same on every pair). */
    private static final String GOLDEN = "7a831981e0e3fd0e036a2663839bc49dfb3893d6bf3786733b089c53e549a08c";
    private Client client;
    private java.util.Map<String, String> resources;

    @Before
    public void spawn() throws Exception {
        resources = baselineResources();
        client = service(ClientFactory.class).spawn("render-it", false);
    }

    /** Everything a render held (TVB, its info, commands, work queues, event slots, VM slot) goes. */
    @After
    public void exit() throws Exception {
        client.exit();
        awaitResourcesBackTo(resources);
    }

    private UapiSetup setup(String device) throws Exception {
        return new UapiSetup(client, (String) asahiDevice(device).getProperty(DrmDevice.RENDER_NODE), QUEUE_CAP_RENDER);
    }

    private byte[][] scene(String device, int triangles, float scale) throws Exception {
        return scene(setup(device), triangles, scale, W, H);
    }

    /** Renders {@code triangles} random triangles (seeded, so the same every time) on {@code s}'s queue: {colour, result}. */
    private byte[][] scene(UapiSetup s, int triangles, float scale, int W, int H) throws Exception {
        long[] vertices = s.buffer((long) triangles * 3 * RenderFormats.VERTEX_BYTES);
        Random random = new Random(7);
        for (int v = 0; v < triangles * 3; v++) {
            long at = vertices[1] + (long) v * RenderFormats.VERTEX_BYTES;
            float cx = random.nextFloat() * 2 - 1;
            float cy = random.nextFloat() * 2 - 1;
            float[] f = {cx * scale, cy * scale, random.nextFloat(), 1, random.nextFloat(), random.nextFloat(),
                    random.nextFloat(), 1};
            for (int i = 0; i < 8; i++) {
                client.memory().writeInt(at + 4L * i, Float.floatToRawIntBits(f[i]));
            }
        }
        long[] draws = s.buffer(2L * ControlStreams.VERTEX_DRAW_BYTES); // one draw, then the zero record
        client.memory().writeLong(draws[1] + ControlStreams.DRAW_VERTICES, vertices[0]);
        client.memory().writeInt(draws[1] + ControlStreams.DRAW_TRIANGLES, triangles);
        long[] color = s.buffer(4L * W * H);
        long[] depth = s.buffer(4L * W * H);
        long[] result = s.buffer(UapiSetup.PAGE);
        int done = s.dev.syncobjCreate(0);
        s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done)),
                List.of(Render.of(draws[0], W, H, color[0], 0xff402010, depth[0]).withResult(0)), (int) result[2]);
        s.dev.syncobjWait(new int[] {done}, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), 0);
        byte[] pixels = new byte[4 * W * H];
        client.memory().copyIn(color[1], MemorySegment.ofArray(pixels), 0, pixels.length);
        byte[] res = new byte[UapiStruct.RESULT_RENDER.size()];
        client.memory().copyIn(result[1], MemorySegment.ofArray(res), 0, res.length);
        return new byte[][] {pixels, res};
    }

    private static String sha(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static long result(byte[] res, String field) {
        return MemorySegment.ofArray(res).get(ValueLayout.JAVA_LONG_UNALIGNED, UapiStruct.RESULT_RENDER.offset(field));
    }

    private static int resultInt(byte[] res, long offset) {
        return MemorySegment.ofArray(res).get(ValueLayout.JAVA_INT_UNALIGNED, offset);
    }

    @Test
    public void theSceneIsTheSameGoldenImageOnEveryPair() throws Exception {
        ConfigurationAdmin admin = service(ConfigurationAdmin.class);
        Configuration pinned = admin.getFactoryConfiguration("kiln.agx.device", "m1-fw12", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("name", "m1-fw12");
        props.put("compatible", "apple,agx-t8103");
        props.put("firmware.compat", "12.3");
        pinned.update(props);
        try {
            byte[][] g13 = scene("t8103", 300, 1.2f);
            assertEquals(STATUS_COMPLETE, resultInt(g13[1], UapiStruct.RESULT_RENDER.offset("info", "status")));
            assertTrue(result(g13[1], "fragment_ts_end") >= result(g13[1], "vertex_ts_start"));
            long drawn = 0;
            for (int i = 0; i < W * H; i++) {
                if (MemorySegment.ofArray(g13[0]).get(ValueLayout.JAVA_INT_UNALIGNED, 4L * i) != 0xff402010) {
                    drawn++;
                }
            }
            assertTrue("triangles cover part of the target, the clear colour the rest: " + drawn,
                    drawn > W * H / 4 && drawn < W * H);
            byte[][] g14 = scene("t8112", 300, 1.2f);
            byte[][] fw12 = scene("m1-fw12", 300, 1.2f);
            assertArrayEquals("G13 and G14", g13[0], g14[0]);
            assertArrayEquals("13.2 and 12.3", g13[0], fw12[0]);
            assertEquals(GOLDEN, sha(g13[0]));
        } finally {
            pinned.delete();
        }
    }

    @Test
    public void aSceneTooBigForTheHeapRendersThroughPartialRendersAndTheHeapGrows() throws Exception {
        UapiSetup s = setup("t8112");
        byte[][] first = scene(s, 400, 6f, 1920, 1080);
        long flags = result(first[1], "flags");
        int overflows = resultInt(first[1], UapiStruct.RESULT_RENDER.offset("num_tvb_overflows"));
        assertTrue("the first render overflowed the initial heap: flags " + flags, (flags & RESULT_RENDER_TVB_OVERFLOWED) != 0);
        assertTrue(overflows > 0);
        long size = result(first[1], "tvb_size_bytes");
        byte[][] later = first;
        for (int i = 0; i < 8 && (result(later[1], "flags") & RESULT_RENDER_TVB_OVERFLOWED) != 0; i++) {
            later = scene(s, 400, 6f, 1920, 1080);
            assertArrayEquals("every render gives the same image, partial or not", first[0], later[0]);
        }
        assertTrue("the heap grew: " + size + " -> " + result(later[1], "tvb_size_bytes"),
                result(later[1], "tvb_size_bytes") > size);
        assertEquals("once grown, no partial render", 0, resultInt(later[1], UapiStruct.RESULT_RENDER.offset("num_tvb_overflows")));
    }
}
