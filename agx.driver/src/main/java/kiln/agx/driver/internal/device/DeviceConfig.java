package kiln.agx.driver.internal.device;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** A device declaration: one ConfigAdmin factory configuration of {@value AgxDeviceComponent#FACTORY_PID}. */
@ObjectClassDefinition(name = "Kiln AGX device", description = "A simulated Apple AGX GPU the asahi driver binds")
public @interface DeviceConfig {
    @AttributeDefinition(description = "The chip's compatible string, e.g. apple,agx-t8103")
    String compatible() default "apple,agx-t8103";

    @AttributeDefinition(description = "The device's name (default: the chip, e.g. t8103)")
    String name() default "";

    @AttributeDefinition(name = "firmware.compat", description = "Pin a firmware version (e.g. 13.2); empty runs the newest compatible")
    String firmware_compat() default "";

    @AttributeDefinition(description = "The firmware's watchdog per running command, in ms (0: none)")
    int hang_timeout_ms() default 5000;

    @AttributeDefinition(description = "Unpinned: move to a newer compatible firmware as soon as one arrives (a live swap)")
    boolean follow_newest_firmware() default true;

    @AttributeDefinition(description = "A firmware swap waits this long, in ms, for the work the firmware has to finish")
    int swap_drain_ms() default 5000;

    @AttributeDefinition(description = "With no compatible firmware, a job waits this long, in ms, for one before it fails with ENODEV")
    int no_firmware_deadline_ms() default 30000;

    @AttributeDefinition(description = "Host threads the simulated GPU runs on")
    int host_workers() default 2;
}
