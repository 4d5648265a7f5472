package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_COMPUTE;
import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_RENDER;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;

/**
 * The listings a user reads at the prompt: {@code drm:clients}, {@code drm:gem}, {@code agx:vms}
 * and {@code agx:queues} show what a live client holds, in tables and in JSON, and forget it once
 * the client exits.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellListingIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    public void listingsFollowAClientFromOpenToExit() throws Exception {
        String node = (String) asahiDevice("t8103").getProperty(DrmDevice.RENDER_NODE);
        Client client = service(ClientFactory.class).spawn("lister", false);
        String pid = String.valueOf(client.pid());
        UapiSetup s = new UapiSetup(client, node, QUEUE_CAP_RENDER | QUEUE_CAP_COMPUTE);
        s.buffer(3 * UapiSetup.PAGE);

        String clients = Shell.run(context, "drm:clients");
        assertTrue(clients, Pattern.compile("(?m)^" + pid + "\\s+lister\\s+false\\s+1\\s").matcher(clients).find());
        String clientsJson = Shell.run(context, "drm:clients --json");
        assertTrue(clientsJson, clientsJson.contains("\"pid\": " + pid + ", \"name\": \"lister\""));

        String gem = Shell.run(context, "drm:gem");
        assertTrue(gem, Pattern.compile("(?m)^" + node + "\\s+49152\\s+\\d+\\s+true").matcher(gem).find());
        assertTrue(Shell.run(context, "drm:gem --json").contains("\"size\": 49152"));

        String owner = pid + " lister";
        String vms = Shell.run(context, "agx:vms");
        assertTrue(vms, Pattern.compile("(?m)^t8103\\s+" + owner + "\\s+" + s.vm + "\\s+\\d+\\s+1\\s+49152\\s+[1-9]\\d*\\s*$")
                .matcher(vms).find());
        String vmsJson = Shell.run(context, "agx:vms --json");
        assertTrue(vmsJson, vmsJson.contains("\"client\": \"" + owner + "\", \"vm\": " + s.vm + ","));
        assertTrue(vmsJson, vmsJson.contains("\"mappings\": 1, \"mapped_bytes\": 49152, \"kernel_bytes\": "));

        String queues = Shell.run(context, "agx:queues");
        assertTrue(queues, Pattern.compile("(?m)^t8103\\s+" + owner + "\\s+" + s.queue + "\\s+" + s.vm
                + "\\s+0x5\\s+1\\s+vertex\\(slot \\d+, 0 in flight\\) fragment\\(slot \\d+, 0 in flight\\) compute\\(slot \\d+, 0 in flight\\)")
                .matcher(queues).find());
        String queuesJson = Shell.run(context, "agx:queues --json");
        assertTrue(queuesJson, queuesJson.contains("\"queue\": " + s.queue + ", \"vm\": " + s.vm + ", \"caps\": \"0x5\", \"priority\": 1"));

        client.exit();
        Await.until(LIMIT, () -> Shell.run(context, "agx:vms"), t -> !t.contains(owner), "the VM listing forgets the client");
        assertFalse(Shell.run(context, "agx:queues").contains(owner));
        assertFalse(Shell.run(context, "drm:gem").contains("49152"));
        assertFalse(Pattern.compile("(?m)^" + pid + "\\s+lister\\s+false\\s+1\\s").matcher(Shell.run(context, "drm:clients")).find());
    }
}
