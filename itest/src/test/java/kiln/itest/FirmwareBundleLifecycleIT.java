package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * Firmware and core bundles stop and start under a running driver: the driver follows without
 * being restarted, refreshed or reactivated. (The same through the real shell is covered by the
 * runtime smoke test in distro/.)
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FirmwareBundleLifecycleIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    public void stoppingAndStartingFirmwareIsFollowedByTheDriver() throws Exception {
        Object catalogBefore = catalogServiceId();
        Bundle fw13 = bundle("firmware.fw13_2");
        Bundle fw12 = bundle("firmware.fw12_3");

        fw13.stop();
        assertEquals(Bundle.RESOLVED, bundle("firmware.fw13_2").getState());
        String cores = Await.until(LIMIT, () -> Shell.run(context, "agx:cores"),
                t -> line(t, "t8103").endsWith(" 12.3"), "t8103 to fall back to 12.3");
        assertTrue(line(cores, "t8112"), line(cores, "t8112").endsWith("none compatible"));
        assertFalse(Shell.run(context, "agx:fw").contains("13.2"));

        fw12.stop();
        Await.until(LIMIT, () -> Shell.run(context, "agx:cores"),
                t -> line(t, "t8103").endsWith("none compatible"), "t8103 to have no firmware");

        fw13.start();
        fw12.start();
        Await.until(LIMIT, () -> Shell.run(context, "agx:cores"),
                t -> line(t, "t8103").endsWith(" 13.2") && line(t, "t8112").endsWith(" 13.2"), "13.2 to be back");

        assertEquals(Bundle.ACTIVE, bundle("agx.driver").getState());
        assertEquals("the driver's catalog must not be reactivated", catalogBefore, catalogServiceId());
    }

    @Test
    public void stoppingACoreBundleRemovesItsChipsOnly() throws Exception {
        Bundle g14 = bundle("agx.g14");
        g14.stop();
        try {
            String cores = Await.until(LIMIT, () -> Shell.run(context, "agx:cores"),
                    t -> !t.contains("t8112"), "t8112 to disappear");
            assertTrue(cores, line(cores, "t8103").endsWith(" 13.2"));
        } finally {
            g14.start();
        }
        Await.until(LIMIT, () -> Shell.run(context, "agx:cores"), t -> t.contains("t8112"), "t8112 to come back");
    }

    private Object catalogServiceId() {
        ServiceReference<?> ref = context.getServiceReference("kiln.agx.driver.internal.PluginCatalog");
        return ref == null ? null : ref.getProperty("service.id");
    }

    private static String line(String table, String chip) {
        return table.lines().filter(l -> l.startsWith(chip + " ")).findFirst().orElse("<no " + chip + " line>");
    }
}
