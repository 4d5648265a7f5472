package kiln.drm.impl.sched;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.sched.JobBackend;
import kiln.drm.api.sched.Scheduler;
import kiln.drm.api.sched.SchedulerFactory;

/** The drm_sched service. Deactivation finishes every scheduler still alive, freeing their jobs. */
@Component(service = SchedulerFactory.class)
public final class SchedulerService implements SchedulerFactory {
    private final FenceFactory fences;
    private final Set<DrmScheduler<?>> live = ConcurrentHashMap.newKeySet();

    @Activate
    public SchedulerService(@Reference FenceFactory fences) {
        this.fences = fences;
    }

    @Override
    public <T> Scheduler<T> create(String name, int creditLimit, Duration timeout, JobBackend<T> backend)
            throws DrmException {
        if (creditLimit < 1 || timeout == null || timeout.isNegative() || timeout.isZero() || backend == null) {
            throw new DrmException(Errno.EINVAL, "scheduler " + name + ": credit limit " + creditLimit + ", timeout "
                    + timeout);
        }
        DrmScheduler<?>[] self = new DrmScheduler<?>[1];
        DrmScheduler<T> scheduler = new DrmScheduler<>(this, name, creditLimit, timeout.toNanos(), backend, fences,
                () -> live.remove(self[0]));
        self[0] = scheduler;
        live.add(scheduler);
        return scheduler;
    }

    @Deactivate
    void deactivate() {
        for (DrmScheduler<?> scheduler : live) {
            scheduler.fini();
        }
    }
}
