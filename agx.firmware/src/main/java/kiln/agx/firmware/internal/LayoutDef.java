package kiln.agx.firmware.internal;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import kiln.agx.api.firmware.AbiType;

/**
 * The definition of one firmware structure across every (generation, firmware): members in
 * order, each optionally guarded by a condition, as the real source guards fields with
 * {@code #[ver(...)]}. {@link #build} lays it out for one {@link Target}: packed (no implicit
 * padding, as the real {@code #[repr(C, packed)]} types), little-endian.
 */
public final class LayoutDef {
    private final AbiType type;
    private final List<Member> members = new ArrayList<>();
    private Predicate<Target> guard = t -> true;

    private record Member(String name, ValueLayout scalar, AbiType nested, int count, long padBytes,
            Function<Target, Long> padFor, Predicate<Target> when) {
    }

    public LayoutDef(AbiType type) {
        this.type = type;
    }

    public AbiType type() {
        return type;
    }

    private LayoutDef add(String name, ValueLayout scalar, AbiType nested, int count) {
        members.add(new Member(name, scalar, nested, count, 0, null, guard));
        return this;
    }

    public LayoutDef u8(String name) {
        return add(name, ValueLayout.JAVA_BYTE, null, 1);
    }

    public LayoutDef u16(String name) {
        return add(name, ValueLayout.JAVA_SHORT_UNALIGNED, null, 1);
    }

    public LayoutDef u32(String... names) {
        for (String n : names) {
            add(n, ValueLayout.JAVA_INT_UNALIGNED, null, 1);
        }
        return this;
    }

    public LayoutDef f32(String... names) {
        for (String n : names) {
            add(n, ValueLayout.JAVA_FLOAT_UNALIGNED, null, 1);
        }
        return this;
    }

    public LayoutDef u64(String... names) {
        for (String n : names) {
            add(n, ValueLayout.JAVA_LONG_UNALIGNED, null, 1);
        }
        return this;
    }

    /** GPU pointers: 64-bit virtual addresses the firmware dereferences. */
    public LayoutDef ptr(String... names) {
        return u64(names);
    }

    public LayoutDef u8s(String name, int count) {
        return add(name, ValueLayout.JAVA_BYTE, null, count);
    }

    public LayoutDef u32s(String name, int count) {
        return add(name, ValueLayout.JAVA_INT_UNALIGNED, null, count);
    }

    public LayoutDef ptrs(String name, int count) {
        return add(name, ValueLayout.JAVA_LONG_UNALIGNED, null, count);
    }

    /** Embeds {@code count} structures of {@code nested}. */
    public LayoutDef struct(String name, AbiType nested, int count) {
        return add(name, null, nested, count);
    }

    public LayoutDef struct(String name, AbiType nested) {
        return struct(name, nested, 1);
    }

    /** Unnamed padding. */
    public LayoutDef pad(long bytes) {
        members.add(new Member(null, null, null, 0, bytes, null, guard));
        return this;
    }

    /** Unnamed padding whose size depends on the target. */
    public LayoutDef pad(Function<Target, Long> bytes) {
        members.add(new Member(null, null, null, 0, 0, bytes, guard));
        return this;
    }

    /** Members added by {@code body} exist only where {@code condition} holds ({@code #[ver(...)]}). */
    public LayoutDef when(Predicate<Target> condition, Consumer<LayoutDef> body) {
        Predicate<Target> outer = guard;
        guard = outer.and(condition);
        try {
            body.accept(this);
        } finally {
            guard = outer;
        }
        return this;
    }

    /** Every field name in any target. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        members.stream().filter(m -> m.name() != null).forEach(m -> names.add(m.name()));
        return names;
    }

    /** Member name to embedded type, in any target. */
    public Map<String, AbiType> nestedTypes() {
        Map<String, AbiType> nested = new HashMap<>();
        members.stream().filter(m -> m.nested() != null).forEach(m -> nested.put(m.name(), m.nested()));
        return nested;
    }

    /**
     * The layout for {@code target}.
     *
     * @param layoutOf the layout of an embedded type for the same target
     */
    public StructLayout build(Target target, Function<AbiType, StructLayout> layoutOf) {
        List<MemoryLayout> out = new ArrayList<>();
        for (Member m : members) {
            if (!m.when().test(target)) {
                continue;
            }
            if (m.name() == null) {
                long bytes = m.padFor() != null ? m.padFor().apply(target) : m.padBytes();
                if (bytes > 0) {
                    out.add(MemoryLayout.paddingLayout(bytes));
                }
                continue;
            }
            MemoryLayout element = m.nested() != null ? layoutOf.apply(m.nested()) : m.scalar();
            MemoryLayout member = m.count() == 1 && m.nested() == null ? element
                    : MemoryLayout.sequenceLayout(m.count(), element);
            if (m.count() == 1 && m.nested() != null) {
                member = element;
            }
            out.add(member.withName(m.name()));
        }
        return MemoryLayout.structLayout(out.toArray(MemoryLayout[]::new)).withName(type.name());
    }
}
