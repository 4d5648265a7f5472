package kiln.agx.driver.internal.uapi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.driver.internal.gpu.AgxGpu;

/** {@code drm_asahi_params_global} of a device, field by field, as {@code agx:params} shows it. */
public final class ParamsView {
    private ParamsView() {
    }

    /** Field name to value (core masks: one hex mask per cluster present; pads left out). */
    public static Map<String, Object> of(AgxGpu gpu) {
        MemorySegment s = MemorySegment.ofArray(GetParams.encode(gpu.hwConfig(), gpu.ids()));
        Map<String, Object> out = new LinkedHashMap<>();
        long offset = 0;
        for (MemoryLayout m : UapiStruct.PARAMS_GLOBAL.layout().memberLayouts()) {
            String name = m.name().orElse("");
            if (m instanceof SequenceLayout) {
                List<String> masks = new ArrayList<>();
                for (int c = 0; c < gpu.ids().clusters(); c++) {
                    masks.add("0x" + Long.toHexString(s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8L * c)));
                }
                out.put(name, masks);
            } else if (!(m instanceof PaddingLayout) && !name.startsWith("pad")) {
                out.put(name, m.byteSize() == 8 ? s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset)
                        : Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT_UNALIGNED, offset)));
            }
            offset += m.byteSize();
        }
        return out;
    }
}
