package kiln.agx.silicon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.hw.FaultReason;
import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.GpuFault;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.api.silicon.UatAgent;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalPages;

/** UAT walks, permissions per agent, every fault reason with its FAULT_INFO encoding, and TLB maintenance. */
class UatTest {
    private static final long PAGE = UatFormat.PAGE_BYTES;
    private static final long VA = 0x15_0000_0000L;
    private static final int SLOT = 5;
    private static final int UNIT = 0x31;

    private TestMachine machine;
    private long root;
    private GpuMemory gpu;
    private GpuMemory firmware;

    @BeforeEach
    void setUp() throws DrmException {
        machine = new TestMachine();
        root = machine.newTable();
        machine.bind(SLOT, root, 0);
        gpu = machine.silicon.uat().context(SLOT, UatAgent.GPU, UNIT);
        firmware = machine.silicon.uat().context(SLOT, UatAgent.FIRMWARE, UNIT);
    }

    @AfterEach
    void tearDown() {
        machine.close();
    }

    private PhysicalPages mapped(long va, int pages, UatProt prot) throws DrmException {
        PhysicalPages p = machine.allocate(pages * PAGE);
        machine.map(root, va, p, prot);
        return p;
    }

    private FaultInfo faultOf(Runnable access) {
        GpuFault fault = assertThrows(GpuFault.class, access::run);
        return fault.info();
    }

    private long faultRegister() {
        return machine.silicon.mmio().read64(MmioRegion.SGX, AgxRegisters.FAULT_INFO);
    }

    private void clearFault() {
        machine.silicon.mmio().write64(MmioRegion.SGX, AgxRegisters.FAULT_INFO, 0);
    }

    @Test
    void walksThreeLevelsToThePhysicalPages() throws DrmException {
        PhysicalPages pages = mapped(VA, 2, UatProt.GPU_SHARED_RW);
        pages.memory().set(ValueLayout.JAVA_INT, PAGE + 12, 0xcafe);
        assertEquals(0xcafe, gpu.readInt(VA + PAGE + 12));
        gpu.writeLong(VA + 40, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, pages.memory().get(ValueLayout.JAVA_LONG, 40));
        gpu.writeInt(VA + PAGE - 2, 0xa1b2c3d4);
        assertEquals(0xa1b2c3d4, gpu.readInt(VA + PAGE - 2), "an access straddling two pages");
        byte[] bytes = new byte[3 * 1000];
        MemorySegment source = MemorySegment.ofArray(bytes);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        gpu.write(VA + PAGE - 1000, source);
        byte[] back = new byte[bytes.length];
        gpu.read(VA + PAGE - 1000, MemorySegment.ofArray(back));
        assertArrayEquals(bytes, back);
        assertEquals(0, faultRegister(), "no fault latched");
    }

    @Test
    void unmappedAtEveryLevelAndAnInvalidTtbFaultWithTheirLevel() throws DrmException {
        mapped(VA, 1, UatProt.GPU_SHARED_RW);
        FaultInfo leaf = faultOf(() -> gpu.readInt(VA + PAGE));
        assertEquals(new FaultInfo(FaultReason.UNMAPPED, true, 0, 2, UNIT, SLOT, 0, VA + PAGE), leaf);
        assertEquals(leaf.encode(), faultRegister(), "latched in FAULT_INFO with the same encoding");
        clearFault();
        long otherMiddle = VA + (1L << 25);
        assertEquals(1, faultOf(() -> gpu.writeInt(otherMiddle, 1)).level());
        long otherRoot = VA + (1L << 36);
        FaultInfo top = faultOf(() -> gpu.readInt(otherRoot));
        assertEquals(0, top.level());
        GpuMemory unbound = machine.silicon.uat().context(9, UatAgent.GPU, UNIT);
        FaultInfo ttb = faultOf(() -> unbound.readInt(VA));
        assertEquals(FaultReason.UNMAPPED, ttb.reason());
        assertEquals(9, ttb.vmSlot());
        assertEquals(0, ttb.level());
        assertEquals(FaultReason.UNMAPPED, faultOf(() -> gpu.readInt(0x0100_0000_0000_0000L)).reason(), "non-canonical");
    }

    @Test
    void theFirstFaultStaysLatchedUntilSoftwareClearsIt() throws DrmException {
        FaultInfo first = faultOf(() -> gpu.readInt(VA));
        faultOf(() -> gpu.writeInt(VA + 64, 1));
        assertEquals(first, FaultInfo.decode(faultRegister()));
        clearFault();
        assertNull(FaultInfo.decode(faultRegister()));
        FaultInfo second = faultOf(() -> gpu.writeInt(VA + 64, 1));
        assertEquals(second, FaultInfo.decode(faultRegister()));
        assertTrue(!second.read());
    }

    @Test
    void accessFlagAndPermissionFaults() throws DrmException {
        PhysicalPages page = machine.allocate(PAGE);
        long noAf = UatFormat.pageEntry(page.pageAddress(0), UatProt.GPU_SHARED_RW, true) & ~UatFormat.ACCESS_FLAG;
        machine.setEntry(root, VA, noAf);
        assertEquals(FaultReason.AF_FAULT, faultOf(() -> gpu.readInt(VA)).reason());

        mapped(VA + PAGE, 1, UatProt.GPU_SHARED_WO);
        gpu.writeInt(VA + PAGE, 7);
        FaultInfo writeOnly = faultOf(() -> gpu.readInt(VA + PAGE));
        assertEquals(FaultReason.WRITE_ONLY, writeOnly.reason());
        assertTrue(writeOnly.read());

        mapped(VA + 2 * PAGE, 1, UatProt.GPU_SHARED_RO);
        assertEquals(0, gpu.readInt(VA + 2 * PAGE));
        FaultInfo readOnly = faultOf(() -> gpu.writeInt(VA + 2 * PAGE, 1));
        assertEquals(FaultReason.READ_ONLY, readOnly.reason());
        assertTrue(!readOnly.read());

        mapped(VA + 3 * PAGE, 1, UatProt.FW_PRIV_RW);
        assertEquals(FaultReason.NO_ACCESS, faultOf(() -> gpu.readInt(VA + 3 * PAGE)).reason());
        firmware.writeInt(VA + 3 * PAGE, 5);
        assertEquals(5, firmware.readInt(VA + 3 * PAGE), "the same page is the firmware's to use");
    }

    @Test
    void permissionsDifferPerAgent() throws DrmException {
        mapped(VA, 1, UatProt.GPU_RO_FW_PRIV_RW);
        firmware.writeInt(VA, 3);
        assertEquals(3, gpu.readInt(VA));
        assertEquals(FaultReason.READ_ONLY, faultOf(() -> gpu.writeInt(VA, 4)).reason());
        mapped(VA + PAGE, 1, UatProt.GPU_SHARED_RW);
        gpu.writeInt(VA + PAGE, 1);
        assertEquals(FaultReason.NO_ACCESS, faultOf(() -> firmware.readInt(VA + PAGE)).reason());
        mapped(VA + 2 * PAGE, 1, UatProt.GPU_FW_SHARED_RW);
        firmware.writeInt(VA + 2 * PAGE, 9);
        gpu.writeInt(VA + 2 * PAGE + 4, 10);
        assertEquals(10, firmware.readInt(VA + 2 * PAGE + 4));
    }

    @Test
    void aRefusedWriteAcrossPagesChangesNothing() throws DrmException {
        PhysicalPages first = mapped(VA, 1, UatProt.GPU_SHARED_RW);
        mapped(VA + PAGE, 1, UatProt.GPU_SHARED_RO);
        assertThrows(GpuFault.class, () -> gpu.writeLong(VA + PAGE - 4, -1L));
        assertEquals(0, first.memory().get(ValueLayout.JAVA_INT, PAGE - 4));
    }

    @Test
    void translationsStayCachedUntilInvalidated() throws DrmException {
        PhysicalPages a = mapped(VA, 1, UatProt.GPU_SHARED_RW);
        PhysicalPages b = machine.allocate(PAGE);
        a.memory().set(ValueLayout.JAVA_INT, 0, 1);
        b.memory().set(ValueLayout.JAVA_INT, 0, 2);
        assertEquals(1, gpu.readInt(VA));
        machine.map(root, VA, b, UatProt.GPU_SHARED_RW);
        assertEquals(1, gpu.readInt(VA), "stale until the TLB is told");
        machine.silicon.uat().invalidateRange(SLOT, VA, PAGE);
        assertEquals(2, gpu.readInt(VA));

        machine.map(root, VA, a, UatProt.GPU_SHARED_RW);
        machine.silicon.uat().invalidateRange(SLOT + 1, VA, PAGE);
        assertEquals(2, gpu.readInt(VA), "another ASID's invalidation leaves this one");
        machine.silicon.uat().invalidateAsid(SLOT);
        assertEquals(1, gpu.readInt(VA));

        machine.map(root, VA, b, UatProt.GPU_SHARED_RW);
        machine.silicon.uat().invalidateAll();
        assertEquals(2, gpu.readInt(VA));
    }

    @Test
    void unmappingWithoutInvalidationNeverReachesTheNextOwner() throws DrmException {
        PhysicalPages page = machine.memory.allocate(PAGE);
        machine.map(root, VA, page, UatProt.GPU_SHARED_RW);
        gpu.writeInt(VA, 1);
        machine.setEntry(root, VA, 0);
        long frame = page.pageAddress(0);
        page.close();
        try (PhysicalPages next = machine.memory.allocate(PAGE)) {
            assertEquals(frame, next.pageAddress(0));
            next.memory().set(ValueLayout.JAVA_INT, 0, 99);
            FaultInfo stale = faultOf(() -> gpu.readInt(VA));
            assertEquals(FaultReason.UNMAPPED, stale.reason());
            assertEquals(99, next.memory().get(ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void kernelAddressesTranslateThroughTtb1AndGlobalEntriesSurviveAsidInvalidation() throws DrmException {
        long kernelRoot = machine.newTable();
        machine.bind(0, machine.newTable(), kernelRoot);
        long kva = 0xffff_ffa0_0000_0000L;
        PhysicalPages page = machine.allocate(PAGE);
        machine.map(kernelRoot, kva, page, UatProt.FW_SHARED_RW);
        assertEquals(2, UatFormat.index(kva, 0), "the kernel VM hangs off root entry 2");
        GpuMemory kernel = machine.silicon.uat().context(0, UatAgent.FIRMWARE, 0xad);
        kernel.writeInt(kva + 8, 77);
        assertEquals(77, page.memory().get(ValueLayout.JAVA_INT, 8));
        PhysicalPages other = machine.allocate(PAGE);
        machine.map(kernelRoot, kva, other, UatProt.FW_SHARED_RW);
        machine.silicon.uat().invalidateAsid(0);
        assertEquals(77, kernel.readInt(kva + 8), "global translations survive an ASID flush");
        machine.silicon.uat().invalidateRange(0, kva, PAGE);
        assertEquals(0, kernel.readInt(kva + 8));
        FaultInfo fault = faultOf(() -> kernel.readInt(kva + PAGE));
        assertEquals((kva + PAGE) & 0xff_ffff_ffc0L, fault.address(), "the register keeps the low 40 bits");
    }
}
