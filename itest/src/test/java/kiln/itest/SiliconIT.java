package kiln.itest;

import static org.junit.Assert.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.ComputeDispatch;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.client.ksa.Assembler;
import kiln.agx.silicon.PageTables;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;

/**
 * In the running framework, a core bundle's service powers on silicon in the DRM core's
 * physical memory, and a kernel assembled by the client library runs on it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SiliconIT extends KilnTestBase {
    @Test
    public void eachCoreServicePowersOnSiliconThatRunsAKernel() throws Exception {
        ServiceReference<PhysicalMemory> memoryRef = context.getServiceReference(PhysicalMemory.class);
        PhysicalMemory memory = context.getService(memoryRef);
        long usedBefore = memory.usedBytes();
        long[] words = Assembler.assemble("""
                sr r0, gid.x
                imul r1, r0, r0
                st r1, u0, r0
                stop
                """);
        for (String chip : new String[] {"apple,agx-t8103", "apple,agx-t8112", "apple,agx-t6002"}) {
            ServiceReference<GpuCore> ref = context.getServiceReferences(GpuCore.class,
                    "(" + GpuCore.COMPATIBLE + "=" + chip + ")").iterator().next();
            GpuCore core = context.getService(ref);
            try (Silicon silicon = core.powerOn(memory, SiliconOptions.defaults().withHostWorkers(2));
                    PageTables tables = new PageTables(memory, silicon.hwConfig().uatOutputAddressBits());
                    PhysicalPages code = memory.allocate(PhysicalMemory.PAGE_SIZE);
                    PhysicalPages data = memory.allocate(PhysicalMemory.PAGE_SIZE);
                    PhysicalPages uniforms = memory.allocate(PhysicalMemory.PAGE_SIZE)) {
                long root = tables.newTable();
                tables.bind(silicon, 1, root, 0);
                tables.map(root, 0x11_0000_0000L, code, UatProt.GPU_SHARED_RO);
                tables.map(root, 0x20_0000_0000L, data, UatProt.GPU_SHARED_RW);
                tables.map(root, 0x21_0000_0000L, uniforms, UatProt.GPU_SHARED_RO);
                MemorySegment.copy(Assembler.toBytes(words), 0, code.memory(), 0, words.length * 8L);
                uniforms.memory().set(ValueLayout.JAVA_LONG, 0, 0x20_0000_0000L);
                DispatchResult result = silicon.compute()
                        .dispatch(new ComputeDispatch(1, 0x11_0000_0000L, 0x21_0000_0000L, 1, 4, 1, 1, 64, 1, 1)).join();
                assertEquals(chip + ": " + result.detail(), DispatchResult.Status.COMPLETED, result.status());
                assertEquals(255 * 255, data.memory().getAtIndex(ValueLayout.JAVA_INT, 255));
            } finally {
                context.ungetService(ref);
            }
        }
        assertEquals("power-off and closing return every page", usedBefore, memory.usedBytes());
        context.ungetService(memoryRef);
    }
}
