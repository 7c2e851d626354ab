#include "edgec_scatter_nd_f32.h"

static int64_t index_at(const void *indices, size_t i, int32_t bytes) {
    return bytes == 8 ? ((const int64_t *)indices)[i] : (int64_t)((const int32_t *)indices)[i];
}

static float combine(int32_t reduction, float old, float update) {
    switch (reduction) {
    case EDGEC_SCATTER_ADD: return old + update;
    case EDGEC_SCATTER_MUL: return old * update;
    case EDGEC_SCATTER_MAX: return old < update ? update : old;
    case EDGEC_SCATTER_MIN: return update < old ? update : old;
    default: return update;
    }
}

void edgec_scatter_nd_f32(const float *data, const void *indices, const float *updates, float *out,
                          const edgec_scatter_nd_params *p) {
    if (out != data)
        for (int32_t i = 0; i < p->count; ++i) out[i] = data[i];
    for (int32_t u = 0; u < p->updates; ++u) {
        size_t offset = 0;
        int inside = 1;
        for (int32_t d = 0; d < p->depth; ++d) {
            int64_t at = index_at(indices, (size_t)u * (size_t)p->depth + (size_t)d, p->index_bytes);
            if (at < 0) at += p->dims[d];
            if (at < 0 || at >= p->dims[d]) inside = 0;
            else offset += (size_t)at * (size_t)p->strides[d];
        }
        if (!inside) continue; /* outside the data: skipped */
        const float *src = updates + (size_t)u * (size_t)p->slice;
        float *dst = out + offset;
        for (int32_t i = 0; i < p->slice; ++i) dst[i] = combine(p->reduction, dst[i], src[i]);
    }
}
