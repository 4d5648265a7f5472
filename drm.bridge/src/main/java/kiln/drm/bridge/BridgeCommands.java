package kiln.drm.bridge;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import kiln.runtime.support.shell.Table;

/** {@code drm:bridge}: where native programs connect and what they hold. */
@Component(service = BridgeCommands.class, property = {"osgi.command.scope=drm", "osgi.command.function=bridge"})
public final class BridgeCommands {
    private final BridgeServer server;

    @Activate
    public BridgeCommands(@Reference BridgeServer server) {
        this.server = server;
    }

    @Descriptor("the native bridge: its socket (for bin/kiln-exec), native processes connected, their control connections, the files they hold, ioctls served")
    public String bridge(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        BridgeServer.Status s = server.status();
        Table t = new Table("socket", "native_processes", "control_connections", "open_files", "ioctls", "refused",
                "process_vm");
        t.row(s.socket(), s.processes(), s.sessions(), s.endpoints(), s.ioctls(), s.refused(), s.processVm());
        return json ? t.toJson() : t.render();
    }
}
