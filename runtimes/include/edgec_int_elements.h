#ifndef EDGEC_INT_ELEMENTS_H
#define EDGEC_INT_ELEMENTS_H
/* Elements of integer tensors of any width (1, 2, 4 or 8 bytes), for the width-generic integer kernels. */
#include <stddef.h>
#include <stdint.h>

/* Element i of a tensor of `bytes`-wide integers, widened to 64 bits (sign-extended when signed). */
static inline uint64_t edgec_int_load(const void *base, size_t i, int32_t bytes, int32_t is_signed) {
    switch (bytes) {
    case 1: return is_signed ? (uint64_t)(int64_t)((const int8_t *)base)[i] : (uint64_t)((const uint8_t *)base)[i];
    case 2: return is_signed ? (uint64_t)(int64_t)((const int16_t *)base)[i] : (uint64_t)((const uint16_t *)base)[i];
    case 4: return is_signed ? (uint64_t)(int64_t)((const int32_t *)base)[i] : (uint64_t)((const uint32_t *)base)[i];
    default: return ((const uint64_t *)base)[i];
    }
}

/* Keeps the low `bytes` bytes: the wrapped-around result, signed or not. */
static inline void edgec_int_store(void *base, size_t i, int32_t bytes, uint64_t v) {
    switch (bytes) {
    case 1: ((uint8_t *)base)[i] = (uint8_t)v; break;
    case 2: ((uint16_t *)base)[i] = (uint16_t)v; break;
    case 4: ((uint32_t *)base)[i] = (uint32_t)v; break;
    default: ((uint64_t *)base)[i] = v; break;
    }
}
#endif
