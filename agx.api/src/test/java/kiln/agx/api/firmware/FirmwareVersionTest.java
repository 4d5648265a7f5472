package kiln.agx.api.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FirmwareVersionTest {
    @Test
    void parsesAndPrintsTheCompatForm() {
        assertEquals(new FirmwareVersion(13, 2, 0), FirmwareVersion.parse("13.2"));
        assertEquals(new FirmwareVersion(12, 3, 1), FirmwareVersion.parse(" 12.3.1 "));
        assertEquals("13.2", FirmwareVersion.parse("13.2.0").toString());
        assertEquals("12.3.1", new FirmwareVersion(12, 3, 1).toString());
    }

    @Test
    void ordersNumericallyNotTextually() {
        assertTrue(FirmwareVersion.parse("12.3").compareTo(FirmwareVersion.parse("12.4")) < 0);
        assertTrue(FirmwareVersion.parse("12.10").compareTo(FirmwareVersion.parse("12.4")) > 0);
        assertTrue(FirmwareVersion.parse("13.2").compareTo(FirmwareVersion.parse("12.4")) > 0);
        assertEquals(0, FirmwareVersion.parse("13.2").compareTo(FirmwareVersion.parse("13.2.0")));
    }

    @Test
    void refusesWhatIsNotAVersion() {
        for (String bad : new String[] {"", "13", "13.x", "v13.2", "13.2.0.1", "-1.2"}) {
            assertThrows(IllegalArgumentException.class, () -> FirmwareVersion.parse(bad), bad);
        }
    }
}
