package kiln.agx.driver.internal.device;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares the default devices (t8103, a G13, and t8112, a G14) the first time the driver runs
 * against a configuration store, and remembers that it did: a user who detaches a default device
 * does not get it back on the next start. Declarations are named factory configurations
 * ({@code kiln.agx.device~<name>}), kept by ConfigAdmin across restarts.
 */
@Component(immediate = true)
public final class DefaultDevices {
    /** The marker configuration: present once the defaults were declared. */
    static final String MARKER_PID = "kiln.agx.devices.defaults";
    private static final Logger LOG = LoggerFactory.getLogger(DefaultDevices.class);

    @Activate
    public DefaultDevices(@Reference ConfigurationAdmin admin) throws IOException {
        Configuration marker = admin.getConfiguration(MARKER_PID, "?");
        if (marker.getProperties() != null) {
            return;
        }
        declare(admin, "t8103", "apple,agx-t8103");
        declare(admin, "t8112", "apple,agx-t8112");
        Dictionary<String, Object> done = new Hashtable<>();
        done.put("declared", "t8103,t8112");
        marker.update(done);
        LOG.info("declared the default AGX devices t8103 and t8112");
    }

    /** Declares (or redeclares) device {@code name}. */
    static void declare(ConfigurationAdmin admin, String name, String compatible) throws IOException {
        Configuration c = admin.getFactoryConfiguration(AgxDeviceComponent.FACTORY_PID, name, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("name", name);
        props.put("compatible", compatible);
        c.update(props);
    }
}
