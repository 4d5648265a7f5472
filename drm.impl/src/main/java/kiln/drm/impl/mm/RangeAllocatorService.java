package kiln.drm.impl.mm;

import org.osgi.service.component.annotations.Component;

import kiln.drm.api.DrmException;
import kiln.drm.api.mm.ColorAdjust;
import kiln.drm.api.mm.RangeAllocator;
import kiln.drm.api.mm.RangeAllocatorFactory;

/** The drm_mm service. Allocators are independent of the component: they outlive its deactivation. */
@Component(service = RangeAllocatorFactory.class)
public final class RangeAllocatorService implements RangeAllocatorFactory {
    @Override
    public <T> RangeAllocator<T> create(String name, long start, long size, ColorAdjust<T> colorAdjust)
            throws DrmException {
        return new DrmMm<>(name, start, size, colorAdjust);
    }
}
