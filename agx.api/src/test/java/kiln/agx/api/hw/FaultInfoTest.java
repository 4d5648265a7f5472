package kiln.agx.api.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FaultInfoTest {
    @Test
    void bitPositionsAreDrmAsahis() {
        // write to a read-only page at 0x15_0000_1040, level 2, unit 0x11 (UL1C of cluster 1), slot 5, sideband 3
        FaultInfo fault = new FaultInfo(FaultReason.READ_ONLY, false, 0, 2, 0x11, 5, 3, 0x15_0000_1040L);
        long expected = 1L | 3L << 1 | 2L << 7 | 0x11L << 9 | 5L << 17 | 3L << 23 | (0x15_0000_1040L >> 6) << 30;
        assertEquals(expected, fault.encode());
        assertEquals(fault, FaultInfo.decode(expected));
        assertEquals("UL1C(1)", fault.unitName());
    }

    @Test
    void everyReasonRoundTrips() {
        for (FaultReason reason : FaultReason.values()) {
            for (boolean read : new boolean[] {true, false}) {
                FaultInfo fault = new FaultInfo(reason, read, 1, 3, 0xa1, 63, 0x7f, 0x7f_ffff_ffc0L);
                assertEquals(fault, FaultInfo.decode(fault.encode()));
            }
        }
        assertEquals(FaultReason.UNMAPPED, FaultInfo.decode(1L).reason());
        assertNull(FaultInfo.decode(1L | 6L << 1).reason(), "codes 5-7 are unnamed");
    }

    @Test
    void anInvalidRegisterIsNoFault() {
        assertNull(FaultInfo.decode(0));
        assertNull(FaultInfo.decode(0xfffffffffffffffeL));
    }

    @Test
    void unitNames() {
        assertEquals("DCMP(0)", unit(0x00).unitName());
        assertEquals("GSL1(1)", unit(0x13).unitName());
        assertEquals("ZLS(9)", unit(0x9e).unitName());
        assertEquals("unknown(0x0f)", unit(0x0f).unitName());
        assertEquals("dPM", unit(0xa1).unitName());
        assertEquals("dCDM_KS2", unit(0xa4).unitName());
        assertEquals("dVDM_ILD", unit(0xaa).unitName());
        assertEquals("dRDE1", unit(0xac).unitName());
        assertEquals("GL2CC_META7", unit(0xb7).unitName());
        assertEquals("GL2CC_MB", unit(0xb8).unitName());
        assertEquals("g*_SP(0xe3)", unit(0xe3).unitName());
        assertEquals("unknown(0xc0)", unit(0xc0).unitName());
    }

    @Test
    void fieldsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FaultInfo(FaultReason.UNMAPPED, true, 0, 4, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FaultInfo(FaultReason.UNMAPPED, true, 0, 0, 0, 64, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FaultInfo(FaultReason.UNMAPPED, true, 0, 0, 0, 0, 0, 0x41));
    }

    private static FaultInfo unit(int unit) {
        return new FaultInfo(FaultReason.UNMAPPED, true, 0, 0, unit, 0, 0, 0);
    }
}
