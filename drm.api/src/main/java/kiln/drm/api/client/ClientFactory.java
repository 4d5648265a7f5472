package kiln.drm.api.client;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The process table: starts clients and lists the live ones. */
@ProviderType
public interface ClientFactory {
    /**
     * Starts a client.
     *
     * @param name       its {@code comm}
     * @param privileged whether it holds CAP_SYS_ADMIN
     */
    Client spawn(String name, boolean privileged);

    /** Live clients, by pid. */
    List<Client> clients();
}
