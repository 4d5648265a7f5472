package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * A firmware jar dropped into the FileInstall directory is installed and started; replacing it
 * updates the bundle; deleting it uninstalls it. The t8103 follows live, under {@code agx:load}:
 * 13.2 leaves (it moves to 12.3), comes back from {@code deploy/} (it moves to the newest), is
 * updated by FileInstall and then by {@code Bundle.update} (away to 12.3 and back each time),
 * leaves with its jar (12.3 again), and the load loses and fails nothing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeployDirectoryIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    @Test
    public void firmwareJarDroppedIntoDeployComesAndGoesWithTheFile() throws Exception {
        Path deploy = Path.of(context.getProperty("felix.fileinstall.dir"));
        asahiDevice("t8103");
        Shell.run(context, "agx:load --device t8103 --clients 1 start");
        Bundle provisioned = find("firmware.fw13_2").orElseThrow();
        Path jar = Path.of(URI.create(provisioned.getLocation()));
        provisioned.uninstall();
        Await.until(LIMIT, () -> Shell.run(context, "agx:fw"), t -> !t.contains("13.2"), "13.2 to be gone");
        Await.until(LIMIT, () -> runs("t8103"), "12.3"::equals, "t8103 on 12.3");

        Path dropped = Files.copy(jar, deploy.resolve("firmware.fw13_2.jar"));
        Await.until(LIMIT, () -> Shell.run(context, "agx:fw"), t -> t.contains("13.2"), "13.2 from deploy/");
        Bundle installed = find("firmware.fw13_2").orElseThrow();
        assertEquals(Bundle.ACTIVE, installed.getState());
        assertTrue(installed.getLocation(), installed.getLocation().contains(deploy.getFileName().toString()));
        Await.until(LIMIT, () -> runs("t8103"), "13.2"::equals, "t8103 on the 13.2 from deploy/");

        // the jar replaced in deploy/: FileInstall updates the bundle the t8103 runs
        long before = okSwaps();
        long modified = installed.getLastModified();
        Files.setLastModifiedTime(dropped, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        Await.until(LIMIT, () -> find("firmware.fw13_2").map(Bundle::getLastModified).orElse(modified), m -> m != modified,
                "FileInstall to update 13.2 from its replaced jar");
        Await.until(LIMIT, this::okSwaps, n -> n >= before + 2, "t8103 away from the updated 13.2 and back");
        Await.until(LIMIT, () -> runs("t8103"), "13.2"::equals, "t8103 on the updated 13.2");
        // and updated through the framework (shell, management agent): the same
        long beforeUpdate = okSwaps();
        find("firmware.fw13_2").orElseThrow().update();
        Await.until(LIMIT, this::okSwaps, n -> n >= beforeUpdate + 2, "t8103 away from the updated 13.2 and back");
        Await.until(LIMIT, () -> runs("t8103"), "13.2"::equals, "t8103 on 13.2 after Bundle.update");

        Files.delete(dropped);
        Await.until(LIMIT, () -> Shell.run(context, "agx:fw"), t -> !t.contains("13.2"), "13.2 to leave with its jar");
        // FileInstall stops the bundle (its service goes) before it uninstalls it
        Await.until(LIMIT, () -> find("firmware.fw13_2").isEmpty(), gone -> gone, "firmware.fw13_2 to be uninstalled");
        assertTrue(Shell.run(context, "agx:fw").contains("12.3"));
        Await.until(LIMIT, () -> runs("t8103"), "12.3"::equals, "t8103 on 12.3 once the jar is gone");

        String load = Shell.run(context, "agx:load --json --device t8103 stop");
        assertTrue(load, load.contains("\"failed\": 0, \"lost\": 0"));
        assertTrue(load, !load.contains("\"completed\": 0,"));
        assertTrue(Shell.run(context, "agx:history t8103"), Shell.run(context, "agx:history t8103").lines()
                .filter(l -> l.endsWith(" ok")).count() >= 3);
    }

    /** The t8103's swaps that went through. */
    private long okSwaps() throws Exception {
        return Shell.run(context, "agx:history t8103").lines().filter(l -> l.endsWith(" ok")).count();
    }

    /** The firmware version a device runs now, from {@code agx:devices --json}. */
    private String runs(String device) throws Exception {
        return Shell.run(context, "agx:devices --json").lines().filter(l -> l.contains("\"name\": \"" + device + "\""))
                .findFirst().orElseThrow().replaceAll(".*\"firmware\": \"([^\"]*)\".*", "$1");
    }
}
