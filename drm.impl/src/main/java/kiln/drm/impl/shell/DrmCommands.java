package kiln.drm.impl.shell;

import java.util.Comparator;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import kiln.drm.api.client.Client;
import kiln.drm.api.gem.ShmemObject;
import kiln.drm.impl.client.ClientTable;
import kiln.drm.impl.gem.GemService;
import kiln.runtime.support.shell.Table;

/** The {@code drm:} Gogo commands: the DRM core's clients and GEM objects. */
@Component(service = DrmCommands.class, property = {"osgi.command.scope=drm", "osgi.command.function=clients",
        "osgi.command.function=gem"})
public final class DrmCommands {
    private final ClientTable clients;
    private final GemService gem;

    @Activate
    public DrmCommands(@Reference ClientTable clients, @Reference GemService gem) {
        this.clients = clients;
        this.gem = gem;
    }

    @Descriptor("list the DRM clients (processes): pid, name, open files, client memory mapped; for a native process its host pid, uid and command line")
    public String clients(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        Table t = new Table("pid", "name", "privileged", "open_files", "mapped_bytes", "exited", "kind", "host_pid", "uid",
                "command");
        for (Client c : clients.clients()) {
            var host = c.nativeProcess();
            t.row(c.pid(), c.name(), c.privileged(), c.openFiles(), c.memory().mappedBytes(), c.exited(),
                    host.isPresent() ? "native" : "java", host.map(p -> (Object) p.pid()).orElse("-"),
                    host.map(p -> (Object) p.uid()).orElse("-"), host.map(p -> p.commandLine()).orElse("-"));
        }
        return json ? t.toJson() : t.render();
    }

    @Descriptor("list the live GEM objects: device, size, references, whether pages are resident, the driver's view")
    public String gem(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        Table t = new Table("device", "size", "refs", "resident", "exportable", "driver");
        gem.objects().stream().sorted(Comparator.comparing(o -> o.device().renderNode())).forEach((ShmemObject o) ->
                t.row(o.device().renderNode(), o.size(), o.refcount(), o.isResident(), o.isExportable(),
                        String.valueOf(o.driverObject())));
        return json ? t.toJson() : t.render();
    }
}
