/* DWT cycle counter, extended to 64 bits: SysTick samples CYCCNT every 2^24 cycles, often enough to see
 * every 32-bit wrap. Real hardware only (QEMU does not model the DWT). */
#include "board.h"

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define DWT_LAR (*(volatile uint32_t *)0xE0001FB0u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t high, last;

void SysTick_Handler(void) {
    uint32_t now = DWT_CYCCNT;
    if (now < last) high++;
    last = now;
}

void timer_init(void) {
    DEMCR |= 1u << 24;    /* TRCENA */
    DWT_LAR = 0xC5ACCE55u; /* the Cortex-M7 locks the DWT until unlocked */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 0x7u;
}

uint64_t timer_ticks(void) {
    __asm volatile("cpsid i" ::: "memory");
    uint32_t now = DWT_CYCCNT, hi = high;
    if (now < last) hi++; /* wrapped since the last sample */
    __asm volatile("cpsie i" ::: "memory");
    return ((uint64_t)hi << 32) | now;
}
