/* Cortex-M start-up: vector table, reset (copy .data, zero .bss, enable the FPU, paint the stack) and a
 * HardFault handler that reports over the UART, so a faulting model shows up as an error on the host. */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "stack.h"

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern uint32_t __stack_limit, __stack_top;

int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define SCB_BFAR (*(volatile uint32_t *)0xE000ED38u)

/* 16 system exceptions; the benchmark uses no device interrupts. */
__attribute__((section(".vectors"), used)) void (*const edgec_vectors[16])(void) = {
    (void (*)(void))(&__stack_top),
    Reset_Handler,
    Default_Handler,   /* NMI */
    HardFault_Handler, /* HardFault */
    HardFault_Handler, /* MemManage (escalates when disabled) */
    HardFault_Handler, /* BusFault */
    HardFault_Handler, /* UsageFault */
    HardFault_Handler, /* SecureFault (v8-M) */
    0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMon */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
};

__attribute__((noreturn)) void Reset_Handler(void) {
#if defined(__ARM_FP)
    /* CP10/CP11 full access before the first float instruction, even in memcpy. */
    SCB_CPACR |= 0xFu << 20;
    __asm volatile("dsb\n isb" ::: "memory");
#endif
    uint32_t *src = &__data_load;
    for (uint32_t *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    stack_paint();
    main();
    for (;;) {
    }
}

void Default_Handler(void) {
    for (;;) {
    }
}

static void put_str(const char *s) {
    while (*s) uart_putc(*s++);
}

static void put_hex(uint32_t v) {
    for (int shift = 28; shift >= 0; shift -= 4) uart_putc("0123456789abcdef"[(v >> shift) & 0xFu]);
}

/* Called with the stacked exception frame: r0-r3, r12, lr, pc, xpsr. */
__attribute__((used)) void edgec_fault_report(const uint32_t *frame) {
    put_str("\r\ne-[HardFault pc=0x");
    put_hex(frame[6]);
    put_str(" lr=0x");
    put_hex(frame[5]);
    put_str(" cfsr=0x");
    put_hex(SCB_CFSR);
    put_str(" hfsr=0x");
    put_hex(SCB_HFSR);
    put_str(" bfar=0x");
    put_hex(SCB_BFAR);
    put_str("]\r\n");
    for (;;) {
    }
}

__attribute__((naked)) void HardFault_Handler(void) {
    /* Pick MSP or PSP from EXC_RETURN bit 2, then report; never returns. */
    __asm volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "b edgec_fault_report\n");
}
