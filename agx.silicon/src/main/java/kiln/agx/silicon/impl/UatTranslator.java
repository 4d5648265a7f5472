package kiln.agx.silicon.impl;

import kiln.agx.api.hw.UatPermissions;
import kiln.agx.silicon.impl.usc.Translator;

/** A unit's translations in one context, reporting faults as that unit, with the GPU's permissions. */
final class UatTranslator implements Translator {
    private final UatUnit uat;
    private final int slot;
    private final int unit;

    UatTranslator(UatUnit uat, int slot, int unit) {
        this.uat = uat;
        this.slot = slot;
        this.unit = unit;
    }

    @Override
    public long generation() {
        return uat.generation();
    }

    @Override
    public Translation translate(long va, boolean write) {
        TlbEntry entry = uat.translate(slot, va, false, write, unit);
        UatPermissions p = entry.permissions();
        return new Translation(entry.frame(), p.gpuRead(), p.gpuWrite());
    }

    @Override
    public RuntimeException stale(long va, boolean write) {
        return uat.staleFault(slot, va, write, unit);
    }
}
