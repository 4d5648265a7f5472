package kiln.agx.api.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemoryLayout;

import org.junit.jupiter.api.Test;

/** Sizes and ioctl numbers against the reference's values derived from the C header. */
class UapiTest {
    @Test
    void ioctlNumbersAreTheRealOnes() {
        assertEquals(0xC0206440, AsahiIoctl.GET_PARAMS.number());
        assertEquals(0xC0106441, AsahiIoctl.VM_CREATE.number());
        assertEquals(0x40106442, AsahiIoctl.VM_DESTROY.number());
        assertEquals(0xC0206443, AsahiIoctl.GEM_CREATE.number());
        assertEquals(0xC0186444, AsahiIoctl.GEM_MMAP_OFFSET.number());
        assertEquals(0x40306445, AsahiIoctl.GEM_BIND.number());
        assertEquals(0xC0206446, AsahiIoctl.QUEUE_CREATE.number());
        assertEquals(0x40106447, AsahiIoctl.QUEUE_DESTROY.number());
        assertEquals(0x40386448, AsahiIoctl.SUBMIT.number());
        assertEquals(0xC0286449, AsahiIoctl.GET_TIME.number());
    }

    @Test
    void structSizesAreTheCOnes() {
        assertEquals(400, UapiStruct.PARAMS_GLOBAL.size());
        assertEquals(24, UapiStruct.SYNC.size());
        assertEquals(56, UapiStruct.COMMAND.size());
        assertEquals(16, UapiStruct.ATTACHMENT.size());
        assertEquals(32, UapiStruct.RESULT_INFO.size());
        assertEquals(96, UapiStruct.RESULT_RENDER.size());
        assertEquals(56, UapiStruct.RESULT_COMPUTE.size());
        assertEquals(280, UapiStruct.CMD_RENDER.size());
        assertEquals(72, UapiStruct.CMD_COMPUTE.size());
        assertEquals(64, UapiStruct.PARAMS_GLOBAL.offset("core_masks"));
        assertEquals(48, UapiStruct.COMMAND.offset("barriers"));
        assertEquals(24, UapiStruct.RESULT_INFO.offset("address"));
        assertEquals(16, UapiStruct.RESULT_INFO.offset("level"));
        assertEquals(24, UapiStruct.RESULT_RENDER.offset("info", "address"));
        assertEquals(88, UapiStruct.RESULT_RENDER.offset("num_tvb_overflows"));
    }

    @Test
    void everyFieldOffsetIsTheLayoutsOwn() {
        for (UapiStruct struct : UapiStruct.values()) {
            for (MemoryLayout member : struct.layout().memberLayouts()) {
                member.name().ifPresent(name -> assertEquals(
                        struct.layout().byteOffset(MemoryLayout.PathElement.groupElement(name)), struct.offset(name),
                        struct + "." + name));
            }
        }
        for (String inner : new String[] {"status", "fault_type", "unit", "sideband", "level", "is_read", "extra", "address"}) {
            assertEquals(UapiStruct.RESULT_INFO.offset(inner), UapiStruct.RESULT_RENDER.offset("info", inner));
            assertEquals(UapiStruct.RESULT_INFO.offset(inner), UapiStruct.RESULT_COMPUTE.offset("info", inner));
        }
        assertThrows(IllegalArgumentException.class, () -> UapiStruct.SUBMIT.offset("no_such_field"));
    }
}
