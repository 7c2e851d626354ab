#include "stack.h"

extern uint32_t __stack_limit, __stack_top;

#define PAINT 0xA5C3A5C3u

/* Inline so it paints below the caller's frame without using much stack itself. */
__attribute__((always_inline)) static inline uint32_t *current_sp(void) {
    uint32_t *sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

void stack_paint(void) {
    /* Leave 64 bytes below the live frame untouched. */
    uint32_t *end = current_sp() - 16;
    for (uint32_t *p = &__stack_limit; p < end; p++) *p = PAINT;
}

uint32_t stack_high_water(void) {
    const uint32_t *p = &__stack_limit;
    while (p < &__stack_top && *p == PAINT) p++;
    return (uint32_t)((const uint8_t *)&__stack_top - (const uint8_t *)p);
}

uint32_t stack_size(void) {
    return (uint32_t)((const uint8_t *)&__stack_top - (const uint8_t *)&__stack_limit);
}
