package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.hw.ChipIdentity;

/** The whole runtime comes up, and the plugin services say what they are. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RuntimeIT extends KilnTestBase {
    @Test
    public void everyKilnBundleIsActive() {
        Map<String, Integer> states = Arrays.stream(context.getBundles())
                .collect(Collectors.toMap(Bundle::getSymbolicName, Bundle::getState, (a, b) -> a));
        for (String bsn : KilnOptions.KILN_BUNDLES) {
            assertEquals(bsn + " state", Integer.valueOf(Bundle.ACTIVE), states.get(bsn));
        }
    }

    @Test
    public void everyChipOfBothCoreBundlesIsRegisteredWithMatchingProperties() throws Exception {
        var refs = context.getServiceReferences(GpuCore.class, null);
        Set<String> chips = new java.util.TreeSet<>();
        for (ServiceReference<GpuCore> ref : refs) {
            GpuCore core = context.getService(ref);
            try {
                ChipIdentity chip = core.chip();
                chips.add(chip.chipName());
                assertEquals(chip.compatible(), ref.getProperty(GpuCore.COMPATIBLE));
                assertEquals(chip.chipId(), ref.getProperty(GpuCore.CHIP_ID));
                assertEquals(chip.generation().name(), ref.getProperty(GpuCore.GENERATION));
                assertEquals(chip.variant().name(), ref.getProperty(GpuCore.VARIANT));
            } finally {
                context.ungetService(ref);
            }
        }
        assertEquals(Set.of("t8103", "t6000", "t6001", "t6002", "t8112"), chips);
    }

    @Test
    public void firmwareServicesAdvertiseTheirVersionAndGenerations() throws Exception {
        var refs = context.getServiceReferences(Firmware.class, null);
        assertEquals(2, refs.size());
        for (ServiceReference<Firmware> ref : refs) {
            Firmware fw = context.getService(ref);
            try {
                assertEquals(fw.version().toString(), ref.getProperty(Firmware.VERSION));
                Object gens = ref.getProperty(Firmware.GENERATIONS);
                List<String> advertised = gens instanceof String[] a ? List.of(a) : List.of(String.valueOf(gens));
                Set<String> actual = fw.supportedCores().stream().map(c -> c.generation().name()).collect(Collectors.toSet());
                assertEquals(actual, Set.copyOf(advertised));
            } finally {
                context.ungetService(ref);
            }
        }
    }

    @Test
    public void driverListsEveryCoreWithTheNewestCompatibleFirmware() throws Exception {
        String table = Shell.run(context, "agx:cores");
        for (String chip : List.of("t8103", "t6000", "t6001", "t6002", "t8112")) {
            String line = table.lines().filter(l -> l.startsWith(chip + " ")).findFirst().orElse(null);
            assertNotNull(chip + " missing from\n" + table, line);
            assertTrue(chip + " should run 13.2: " + line, line.endsWith(" 13.2"));
        }
        String cores = Shell.run(context, "agx:cores --json");
        String ultra = cores.lines().filter(l -> l.contains("\"chip\": \"t6002\"")).findFirst().orElse("");
        assertTrue(ultra, ultra.contains("\"dies\": 2") && ultra.contains("\"clusters\": 8")
                && ultra.contains("\"cores_per_cluster\": 8"));
        String m2 = cores.lines().filter(l -> l.contains("\"chip\": \"t8112\"")).findFirst().orElse("");
        assertTrue(m2, m2.contains("\"cores_per_cluster\": 10") && m2.contains("\"max_mhz\": 1398"));
        String json = Shell.run(context, "agx:fw --json");
        assertTrue(json, json.contains("\"version\": \"13.2\"") && json.contains("\"version\": \"12.3\""));
    }
}
