package kiln.agx.firmware;

import static kiln.agx.api.firmware.AbiType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.agx.api.firmware.AbiField;
import kiln.agx.api.firmware.AbiStruct;
import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.UatAgent;

/**
 * The ABI of every supported (generation, firmware): sizes pinned, the real differences
 * between versions and generations, every field written and read back exactly (in CPU memory
 * and through the firmware's UAT view), and misuse refused.
 */
class AbiLayoutTest {
    /** Size of every type for (G13, 12.3), (G13, 13.2), (G14, 13.2). */
    private static final Object[] SIZES = {
            HANDOFF, 0x648, 0x648, 0x648,
            FLUSH_INFO, 0x18, 0x18, 0x18,
            INIT_DATA, 0x50, 0x60, 0x60,
            RUNTIME_POINTERS, 0x1f8, 0x1f8, 0x1f8,
            PIPE_CHANNELS, 0x48, 0x48, 0x48,
            CHANNEL_RING, 0x18, 0x18, 0x18,
            CHANNEL_STATE, 0x40, 0x40, 0x40,
            GLOBALS, 0x8d8, 0x908, 0x908,
            PENDING_STAMP, 0x8, 0x8, 0x8,
            HW_DATA_A, 0x5c, 0xec, 0xec,
            HW_DATA_A_130_EXTRA, 0x70, 0x70, 0x70,
            POWER_ZONE, 0xc, 0x10, 0x10,
            HW_DATA_B, 0x374, 0x35c, 0x35c,
            FW_STATUS, 0x68, 0x68, 0x68,
            GPU_GLOBAL_STATS, 0x20, 0x20, 0x20,
            RUN_WORK_QUEUE_MSG, 0x30, 0x30, 0x40,
            DEVICE_CONTROL_MSG, 0x30, 0x30, 0x40,
            DEVICE_CONTROL_DESTROY_CONTEXT, 0x30, 0x30, 0x40,
            EVENT_MSG, 0x38, 0x38, 0x38,
            EVENT_MSG_TIMEOUT, 0x38, 0x38, 0x38,
            FW_CTL_MSG, 0x16, 0x16, 0x16,
            FW_LOG_MSG, 0xd8, 0xd8, 0xd8,
            STATS_MSG, 0x30, 0x40, 0x40,
            QUEUE_INFO, 0x84, 0x90, 0x90,
            RING_STATE, 0x70, 0x70, 0x70,
            GPU_CONTEXT_DATA, 0x40, 0x40, 0x40,
            NOTIFIER_LIST, 0x10, 0x10, 0x10,
            NOTIFIER, 0x20, 0x20, 0x20,
            STAMP, 0x4, 0x4, 0x4,
            FW_STAMP, 0x8, 0x8, 0x8,
            BARRIER, 0x24, 0x24, 0x24,
            JOB_META, 0x2c, 0x2c, 0x2c,
            RUN_COMPUTE, 0xe8, 0x100, 0x100,
            JOB_PARAMETERS_1_COMPUTE, 0x54, 0x54, 0x54,
            JOB_PARAMETERS_2, 0x20, 0x20, 0x20,
            RUN_VERTEX, 0x168, 0x180, 0x180,
            JOB_PARAMETERS_1_VERTEX, 0xb4, 0xb4, 0xb4,
            RUN_FRAGMENT, 0x11c, 0x130, 0x140,
            JOB_PARAMETERS_1_FRAGMENT, 0x78, 0x74, 0x84,
            INIT_BUFFER, 0x28, 0x28, 0x28,
            BUFFER_MGR_INFO, 0x98, 0x98, 0x98,
            BUFFER_MGR_CTL, 0x8, 0x8, 0x8,
            TIMESTAMPS, 0x10, 0x10, 0x10,
            MS_WAIT_FOR_IDLE, 0xc, 0xc, 0xc,
            MS_RETIRE_STAMP, 0x8, 0x8, 0x8,
            MS_TIMESTAMP, 0x30, 0x38, 0x38,
            MS_START_VERTEX, 0x16c, 0x17c, 0x17c,
            MS_FINALIZE_VERTEX, 0x54, 0x64, 0x64,
            MS_START_FRAGMENT, 0x16c, 0x17c, 0x17c,
            MS_FINALIZE_FRAGMENT, 0x70, 0x80, 0x80,
            MS_START_COMPUTE, 0x150, 0x164, 0x164,
            MS_FINALIZE_COMPUTE, 0x64, 0x75, 0x75,
            ATTACHMENT, 0x10, 0x10, 0x10,
    };

    static Stream<Arguments> pairs() {
        return FirmwareComputeTest.pairs();
    }

    private static int column(GpuGen gen, String version) {
        return gen == GpuGen.G14 ? 2 : version.equals("12.3") ? 0 : 1;
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void everySizeIsPinned(GpuGen gen, String version) {
        FirmwareAbi abi = AbiCatalog.abi(gen, FirmwareVersion.parse(version));
        Map<AbiType, Long> expected = new EnumMap<>(AbiType.class);
        for (int i = 0; i < SIZES.length; i += 4) {
            expected.put((AbiType) SIZES[i], ((Number) SIZES[i + 1 + column(gen, version)]).longValue());
        }
        assertEquals(AbiType.values().length, expected.size(), "every type is pinned");
        for (AbiType t : AbiType.values()) {
            assertEquals(expected.get(t), abi.sizeOf(t), t + " in " + abi);
        }
    }

    @Test
    void theRealDifferencesBetweenVersionsAndGenerations() {
        FirmwareAbi g13v12 = AbiCatalog.abi(GpuGen.G13, FirmwareVersion.parse("12.3"));
        FirmwareAbi g13v13 = AbiCatalog.abi(GpuGen.G13, FirmwareVersion.parse("13.2"));
        FirmwareAbi g14v13 = AbiCatalog.abi(GpuGen.G14, FirmwareVersion.parse("13.2"));
        // DeviceControlMsg payload 0x2c, 0x3c on G14 with 13.2; RunWorkQueueMsg padding 0x1b / 0x2b
        assertEquals(4 + 0x2c, g13v12.sizeOf(DEVICE_CONTROL_MSG));
        assertEquals(4 + 0x2c, g13v13.sizeOf(DEVICE_CONTROL_MSG));
        assertEquals(4 + 0x3c, g14v13.sizeOf(DEVICE_CONTROL_MSG));
        assertEquals(g13v13.sizeOf(RUN_WORK_QUEUE_MSG) + 0x10, g14v13.sizeOf(RUN_WORK_QUEUE_MSG));
        // STATS payload 0x2c before 13.0b4, 0x3c after
        assertEquals(4 + 0x2c, g13v12.sizeOf(STATS_MSG));
        assertEquals(4 + 0x3c, g13v13.sizeOf(STATS_MSG));
        // the command counter and timestamps from 13.0b4
        for (AbiType command : List.of(RUN_COMPUTE, RUN_VERTEX, RUN_FRAGMENT)) {
            assertFalse(g13v12.field(command, "counter").present(), command + " 12.3");
            assertTrue(g13v13.field(command, "counter").present(), command + " 13.2");
            assertTrue(g14v13.field(command, "unk_ts").present(), command + " G14 13.2");
        }
        assertFalse(g13v12.field(INIT_DATA, "ver_info").present());
        assertEquals(4, g13v13.field(INIT_DATA, "ver_info").count());
        // unk_24_0 is the only 13.2-specific InitData value
        assertFalse(g13v12.field(GLOBALS, "unk_24_0").present());
        assertTrue(g13v13.field(GLOBALS, "unk_24_0").present());
        assertTrue(g13v13.field(QUEUE_INFO, "unk_a0_0").present());
        assertFalse(g13v12.field(QUEUE_INFO, "unk_b0").present());
        // HwDataB's 12.x-only fields, HwDataA's Ventura extension
        assertTrue(g13v12.field(HW_DATA_B, "num_pstates").present());
        assertFalse(g13v13.field(HW_DATA_B, "num_pstates").present());
        assertTrue(g13v13.field(HW_DATA_B, "unk_c3c").present());
        assertEquals(HW_DATA_A_130_EXTRA, g13v13.field(HW_DATA_A, "unk_e10_0").nested());
        assertTrue(g13v12.field(HW_DATA_A, "fast_die0_sensor_present").present());
        // G13-only vertex tiling fields; G14 has padding of the same size instead
        for (String g13Only : List.of("tvb_cluster_tilemaps", "tvb_cluster_meta1", "core_mask", "tiling_control", "unk_f0")) {
            assertTrue(g13v13.field(JOB_PARAMETERS_1_VERTEX, g13Only).present(), g13Only);
            assertFalse(g14v13.field(JOB_PARAMETERS_1_VERTEX, g13Only).present(), g13Only);
        }
        assertEquals(g13v13.sizeOf(JOB_PARAMETERS_1_VERTEX), g14v13.sizeOf(JOB_PARAMETERS_1_VERTEX));
        assertEquals(2, g13v13.field(JOB_PARAMETERS_1_VERTEX, "core_mask").count());
        // G14-only fragment fields
        assertTrue(g14v13.field(JOB_PARAMETERS_1_FRAGMENT, "unk_58_g14_0").present());
        assertFalse(g13v13.field(JOB_PARAMETERS_1_FRAGMENT, "unk_58_g14_0").present());
        assertTrue(g13v12.field(JOB_PARAMETERS_1_FRAGMENT, "__pad0").present());
        // microsequence: Ventura fields, and the G14 pre-Ventura field no supported pair has
        assertTrue(g13v12.field(MS_FINALIZE_COMPUTE, "unk_18").present());
        assertFalse(g13v13.field(MS_FINALIZE_COMPUTE, "unk_18").present());
        assertEquals(0xd, g13v13.field(MS_FINALIZE_COMPUTE, "unk_64").count());
        assertFalse(g14v13.field(MS_FINALIZE_COMPUTE, "unk_5c_g14").present());
        assertTrue(g13v13.field(MS_START_COMPUTE, "notifier_buf").present());
        assertFalse(g13v12.field(MS_TIMESTAMP, "unk_ts").present());
        // sizes the reference gives
        assertEquals(0x40, g13v12.sizeOf(GPU_CONTEXT_DATA));
        assertEquals(65, g13v12.field(HANDOFF, "flush").count());
        assertEquals(0x110, g13v12.field(GLOBALS, "pending_stamps").count());
        assertEquals(g13v12.sizeOf(EVENT_MSG), g13v12.sizeOf(EVENT_MSG_TIMEOUT), "one ring carries both");
        assertEquals(g14v13.sizeOf(DEVICE_CONTROL_MSG), g14v13.sizeOf(DEVICE_CONTROL_DESTROY_CONTEXT), "one ring carries both");
    }

    /** One distinct, width-filling value per field element. */
    private static long pattern(int field, int element, long bytes) {
        long v = 0x9e37_79b9_7f4a_7c15L * (field * 1000L + element + 1);
        return bytes == 8 ? v : v & ((1L << (8 * bytes)) - 1);
    }

    /** Every scalar field of every type, flattened through embedded structures, with its absolute offset. */
    private static List<long[]> scalars(FirmwareAbi abi, AbiStruct s, long base) {
        List<long[]> out = new ArrayList<>();
        for (AbiField f : s.fields()) {
            for (int i = 0; i < f.count(); i++) {
                if (f.nested() != null) {
                    out.addAll(scalars(abi, abi.struct(f.nested()), base + f.offset(i)));
                } else {
                    out.add(new long[] {base + f.offset(i), f.elementBytes()});
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void everyFieldRoundTripsExactlyAndNoTwoOverlap(GpuGen gen, String version) {
        FirmwareAbi abi = AbiCatalog.abi(gen, FirmwareVersion.parse(version));
        try (Arena arena = Arena.ofConfined()) {
            for (AbiType t : AbiType.values()) {
                AbiStruct s = abi.struct(t);
                MemorySegment m = arena.allocate(s.byteSize() + 16);
                List<AbiField> fields = s.fields();
                for (int f = 0; f < fields.size(); f++) {
                    AbiField field = fields.get(f);
                    if (field.nested() == null) {
                        for (int i = 0; i < field.count(); i++) {
                            field.set(m, 8, i, pattern(f, i, field.elementBytes()));
                        }
                    }
                }
                for (int f = 0; f < fields.size(); f++) {
                    AbiField field = fields.get(f);
                    if (field.nested() == null) {
                        for (int i = 0; i < field.count(); i++) {
                            assertEquals(pattern(f, i, field.elementBytes()), field.get(m, 8, i), t + "." + field + "[" + i + "]");
                        }
                    }
                }
                assertEquals(0, m.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0), t + " wrote before its start");
                assertEquals(0, m.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8 + s.byteSize()), t + " wrote past its end");
                long covered = scalars(abi, s, 0).stream().mapToLong(x -> x[1]).sum();
                assertTrue(covered <= s.byteSize(), t + ": fields cover more than the structure");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void everyFieldRoundTripsThroughTheFirmwaresView(GpuGen gen, String version) throws Exception {
        try (TestDriver d = new TestDriver(gen, version)) {
            GpuMemory firmware = d.user.machine.silicon.uat().context(0, UatAgent.FIRMWARE, 0xad);
            for (AbiType t : AbiType.values()) {
                long va = d.alloc(t);
                List<long[]> scalars = scalars(d.abi, d.abi.struct(t), 0);
                for (int i = 0; i < scalars.size(); i++) {
                    AbiField f = new AbiField("x", scalars.get(i)[0], scalars.get(i)[1], 1, null);
                    f.write(firmware, va, pattern(i, 0, f.elementBytes()));
                }
                for (int i = 0; i < scalars.size(); i++) {
                    AbiField f = new AbiField("x", scalars.get(i)[0], scalars.get(i)[1], 1, null);
                    assertEquals(pattern(i, 0, f.elementBytes()), f.get(d.kernel, va - TestDriver.KERNEL_BASE), t + " @" + f.offset());
                    assertEquals(pattern(i, 0, f.elementBytes()), f.read(firmware, va), t + " @" + f.offset());
                }
            }
        }
    }

    @Test
    void absentFieldsIgnoreWritesAndUnknownNamesAreRefused() {
        FirmwareAbi abi = AbiCatalog.abi(GpuGen.G13, FirmwareVersion.parse("12.3"));
        AbiField counter = abi.field(RUN_COMPUTE, "counter");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(abi.sizeOf(RUN_COMPUTE));
            counter.set(m, 0, -1L);
            assertEquals(0, counter.get(m, 0));
            assertEquals(-1, m.mismatch(arena.allocate(m.byteSize())), "nothing was written");
        }
        assertThrows(IllegalArgumentException.class, () -> abi.field(RUN_COMPUTE, "countr"));
        assertThrows(IndexOutOfBoundsException.class, () -> abi.field(GLOBALS, "pending_stamps").offset(0x110));
        assertThrows(UnsupportedOperationException.class,
                () -> abi.field(RUN_COMPUTE, "job_meta").get(MemorySegment.ofArray(new byte[0x200]), 0));
    }

    @Test
    void anAbiIsBuiltOncePerPairAndIsEqualData() {
        FirmwareAbi a = AbiCatalog.abi(GpuGen.G14, FirmwareVersion.parse("13.2"));
        FirmwareAbi b = AbiCatalog.abi(GpuGen.G14, FirmwareVersion.parse("13.2"));
        for (AbiType t : AbiType.values()) {
            assertEquals(a.struct(t).layout(), b.struct(t).layout(), t.name());
        }
    }
}
