#include "edgec_binary_int.h"
#include "edgec_int_elements.h"

/* Two's complement reinterpretation without implementation-defined conversions. */
static int64_t as_signed(uint64_t v) {
    return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

static int less(uint64_t x, uint64_t y, int32_t is_signed) {
    return is_signed ? as_signed(x) < as_signed(y) : x < y;
}

/* Truncating division and C remainder; y == 0 gives 0, INT64_MIN / -1 wraps (the narrower types cannot
 * overflow in 64 bits). */
static uint64_t divide(uint64_t x, uint64_t y, int32_t is_signed, int remainder) {
    if (y == 0) return 0u;
    if (!is_signed) return remainder ? x % y : x / y;
    const int64_t sx = as_signed(x), sy = as_signed(y);
    if (sy == -1) return remainder ? 0u : (uint64_t)0 - x; /* -x, wrapping */
    return remainder ? (uint64_t)(sx % sy) : (uint64_t)(sx / sy);
}

static uint64_t floor_divide(uint64_t x, uint64_t y, int32_t is_signed, int remainder) {
    const uint64_t q = divide(x, y, is_signed, 0), r = divide(x, y, is_signed, 1);
    const int adjust = is_signed && r != 0 && ((as_signed(r) < 0) != (as_signed(y) < 0));
    if (remainder) return adjust ? r + y : r;
    return adjust ? q - 1u : q;
}

static uint64_t power(uint64_t base, uint64_t exponent, int32_t is_signed) {
    if (is_signed && as_signed(exponent) < 0) { /* |base| >= 2 truncates to 0 */
        if (base == 1u) return 1u;
        if (as_signed(base) == -1) return (exponent & 1u) ? base : 1u;
        return 0u;
    }
    uint64_t result = 1u;
    while (exponent) { /* by squaring, modulo 2^64: the low bits are the wrapped result of every width */
        if (exponent & 1u) result *= base;
        base *= base;
        exponent >>= 1;
    }
    return result;
}

static uint64_t apply(int32_t op, uint64_t x, uint64_t y, int32_t is_signed) {
    switch (op) {
    case EDGEC_ADD: return x + y;
    case EDGEC_SUB: return x - y;
    case EDGEC_MUL: return x * y;
    case EDGEC_DIV: return divide(x, y, is_signed, 0);
    case EDGEC_FMOD: return divide(x, y, is_signed, 1);
    case EDGEC_FLOOR_DIV: return floor_divide(x, y, is_signed, 0);
    case EDGEC_FLOOR_MOD: return floor_divide(x, y, is_signed, 1);
    case EDGEC_MAX: return less(x, y, is_signed) ? y : x;
    case EDGEC_MIN: return less(y, x, is_signed) ? y : x;
    case EDGEC_POW: return power(x, y, is_signed);
    case EDGEC_EQUAL: return x == y;
    case EDGEC_NOT_EQUAL: return x != y;
    case EDGEC_LESS: return (uint64_t)less(x, y, is_signed);
    case EDGEC_LESS_EQUAL: return (uint64_t)!less(y, x, is_signed);
    case EDGEC_GREATER: return (uint64_t)less(y, x, is_signed);
    default: return (uint64_t)!less(x, y, is_signed); /* EDGEC_GREATER_EQUAL */
    }
}

void edgec_binary_int(const void *a, const void *b, void *out, const edgec_binary_int_params *p) {
    const int32_t *s = p->out_shape;
    if (edgec_shape_is_empty(s)) return;
    const int32_t bytes = p->element_bytes;
    const int32_t out_bytes = p->op >= EDGEC_EQUAL ? 1 : bytes; /* comparisons write bool bytes */
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    size_t o = 0;
    int more;
    do {
        const uint64_t x = edgec_int_load(a, ia.offset, bytes, p->is_signed), y = edgec_int_load(b, ib.offset, bytes, p->is_signed);
        edgec_int_store(out, o++, out_bytes, apply(p->op, x, y, p->is_signed));
        more = edgec_strided_next(&ia, s, p->a_strides);
        (void)edgec_strided_next(&ib, s, p->b_strides);
    } while (more);
}
