package kiln.agx.client.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import kiln.drm.api.client.ClientFactory;
import kiln.runtime.support.shell.Table;

/**
 * {@code agx:load start|status|stop}: a background workload per device ({@link LoadGenerator}),
 * with its counters; what it ran is checked, so a swap, crash or unplug underneath shows up as
 * failed or lost jobs. Stopping the bundle stops every load.
 */
// immediate: it keeps the running loads, so it must not be disposed between two commands
@Component(service = LoadCommand.class, immediate = true, property = {"osgi.command.scope=agx", "osgi.command.function=load"})
public final class LoadCommand {
    private final BundleContext context;
    private final ClientFactory clients;
    private final Map<String, LoadGenerator> loads = new ConcurrentHashMap<>();

    @Activate
    public LoadCommand(BundleContext context, @Reference ClientFactory clients) {
        this.context = context;
        this.clients = clients;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        for (LoadGenerator load : loads.values()) {
            load.stop(10);
        }
    }

    @Descriptor("run, show or stop a background workload (compute jobs chained through timeline syncs on two queues per client, each checked)")
    public String load(
            @Descriptor("the device") @Parameter(names = "--device", absentValue = "t8103") String device,
            @Descriptor("clients to run (start)") @Parameter(names = "--clients", absentValue = "2") int count,
            @Descriptor("print JSON instead of a table (status)") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json,
            @Descriptor("start, status or stop") String action) throws InterruptedException {
        switch (action) {
            case "start" -> {
                if (count < 1 || count > 16) {
                    throw new IllegalArgumentException("--clients must be 1..16");
                }
                String node = DeviceNodes.renderNode(context, device);
                LoadGenerator load = new LoadGenerator(device);
                LoadGenerator old = loads.putIfAbsent(device, load);
                if (old != null && old.running()) {
                    throw new IllegalStateException("a load already runs on " + device + "; agx:load stop first");
                }
                loads.put(device, load);
                load.start(clients, node, count);
                return "load started on " + device + " (" + node + ") with " + count + " clients";
            }
            case "stop" -> {
                LoadGenerator load = loads.get(device);
                if (load == null) {
                    throw new IllegalArgumentException("no load on " + device);
                }
                load.stop(30);
                return status(json);
            }
            case "status" -> {
                return status(json);
            }
            default -> throw new IllegalArgumentException("start, status or stop, not " + action);
        }
    }

    private String status(boolean json) {
        Table table = new Table("device", "running", "submitted", "completed", "failed", "lost", "refused", "checks", "error");
        loads.values().stream().sorted((a, b) -> a.device.compareTo(b.device)).forEach(l -> table.row(l.device, l.running(),
                l.submitted.get(), l.completed.get(), l.failed.get(), l.lost.get(), l.refused.get(), l.checks.get(),
                l.error().isEmpty() && l.failures.isEmpty() ? "-" : (l.error() + " " + l.failures).strip()));
        return json ? table.toJson() : table.render();
    }
}
