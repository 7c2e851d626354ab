/* Reference DYNAMIC_UPDATE_SLICE: copy the operand, then the update's rows (its innermost dimension is contiguous
 * in both tensors) into the clamped window, walking the update's outer indices like an odometer. */
#include "edgec_dynamic_update_slice.h"

static int64_t start_index(const void *start, int32_t index_bytes, int32_t i) {
    if (index_bytes == 8) return ((const int64_t *)start)[i];
    return ((const int32_t *)start)[i];
}

void edgec_dynamic_update_slice(const void *operand, const void *update, const void *start, void *output,
                                const edgec_dynamic_update_slice_params *p) {
    const int32_t rank = p->rank, eb = p->element_bytes;
    size_t total = (size_t)eb, row = (size_t)eb, update_rows = 1;
    for (int32_t d = 0; d < rank; ++d) total *= (size_t)p->dims[d];
    for (int32_t d = 0; d < rank; ++d) {
        if (p->update_dims[d] == 0) update_rows = 0;
    }
    uint8_t *out = (uint8_t *)output;
    if (operand != output) {
        const uint8_t *in = (const uint8_t *)operand;
        for (size_t i = 0; i < total; ++i) out[i] = in[i];
    }
    if (rank == 0 || update_rows == 0) return;
    row *= (size_t)p->update_dims[rank - 1];
    for (int32_t d = 0; d + 1 < rank; ++d) update_rows *= (size_t)p->update_dims[d];

    size_t stride[EDGEC_MAX_RANK];
    int32_t first[EDGEC_MAX_RANK], at[EDGEC_MAX_RANK];
    stride[rank - 1] = (size_t)eb;
    for (int32_t d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * (size_t)p->dims[d + 1];
    for (int32_t d = 0; d < rank; ++d) {
        int64_t s = start_index(start, p->index_bytes, d);
        const int64_t hi = (int64_t)p->dims[d] - (int64_t)p->update_dims[d];
        s = s < 0 ? 0 : s;
        first[d] = (int32_t)(s > hi ? hi : s);
        at[d] = 0;
    }
    const uint8_t *src = (const uint8_t *)update;
    for (size_t r = 0; r < update_rows; ++r, src += row) {
        size_t offset = (size_t)first[rank - 1] * stride[rank - 1];
        for (int32_t d = 0; d + 1 < rank; ++d) offset += (size_t)(first[d] + at[d]) * stride[d];
        for (size_t i = 0; i < row; ++i) out[offset + i] = src[i];
        for (int32_t d = rank - 2; d >= 0; --d) { /* next outer index of the update */
            if (++at[d] < p->update_dims[d]) break;
            at[d] = 0;
        }
    }
}
