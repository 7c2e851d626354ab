/* SysTick on the processor clock, extended to 64 bits by counting 24-bit wraps in its interrupt.
 * Under QEMU -icount shift=0 one tick is a fixed number of guest instructions (EDGEC_TICK_INSTRUCTIONS). */
#include "board.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define RELOAD 0x00FFFFFFu

static volatile uint32_t wraps;

void SysTick_Handler(void) {
    wraps++;
}

void timer_init(void) {
    SYST_RVR = RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 0x7u; /* enable, interrupt, processor clock */
}

uint64_t timer_ticks(void) {
    uint32_t hi, cv;
    do { /* re-read if a wrap was counted in between */
        hi = wraps;
        cv = SYST_CVR;
    } while (hi != wraps);
    return (uint64_t)hi * (RELOAD + 1u) + (RELOAD - cv);
}
