package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** A firmware jar dropped into the FileInstall directory is installed and started; deleting it uninstalls it. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeployDirectoryIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    @Test
    public void firmwareJarDroppedIntoDeployComesAndGoesWithTheFile() throws Exception {
        Path deploy = Path.of(context.getProperty("felix.fileinstall.dir"));
        Bundle provisioned = find("firmware.fw13_2").orElseThrow();
        Path jar = Path.of(URI.create(provisioned.getLocation()));
        provisioned.uninstall();
        Await.until(LIMIT, () -> Shell.run(context, "agx:fw"), t -> !t.contains("13.2"), "13.2 to be gone");

        Path dropped = Files.copy(jar, deploy.resolve("firmware.fw13_2.jar"));
        Await.until(LIMIT, () -> Shell.run(context, "agx:fw"), t -> t.contains("13.2"), "13.2 from deploy/");
        Bundle installed = find("firmware.fw13_2").orElseThrow();
        assertEquals(Bundle.ACTIVE, installed.getState());
        assertTrue(installed.getLocation(), installed.getLocation().contains(deploy.getFileName().toString()));

        Files.delete(dropped);
        Await.until(LIMIT, () -> Shell.run(context, "agx:fw"), t -> !t.contains("13.2"), "13.2 to leave with its jar");
        // FileInstall stops the bundle (its service goes) before it uninstalls it
        Await.until(LIMIT, () -> find("firmware.fw13_2").isEmpty(), gone -> gone, "firmware.fw13_2 to be uninstalled");
        assertTrue(Shell.run(context, "agx:fw").contains("12.3"));
    }
}
