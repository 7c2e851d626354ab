/* What every semihosting test firmware here needs (main.c, kernel_fuzz.c, packed_fuzz.c): the semihosting call,
 * exit with a code, the reset handler (zero .bss, FPU on, run main, exit with its result) and the vector table.
 * Only for tests under qemu-system-arm -semihosting; the board layer, with UART and timers, is elsewhere.
 * Firmware linked with -nostdlib defines EDGEC_SEMIHOST_LIBC first to get memset, memcpy and strlen too. */
#ifndef EDGEC_SEMIHOST_BOOT_H
#define EDGEC_SEMIHOST_BOOT_H

#include <stddef.h>
#include <stdint.h>

static int32_t semihost(int32_t op, const void *args) {
    register int32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = args;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void sh_exit(int32_t code) {
    const uint32_t args[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    semihost(0x20, args); /* SYS_EXIT_EXTENDED */
    for (;;) {
    }
}

int main(void);

void reset_handler(void) {
    extern uint32_t __bss_start__, __bss_end__;
    for (uint32_t *p = &__bss_start__; p < &__bss_end__; ++p) *p = 0;
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* FPU on */
    __asm__ volatile("dsb\n isb");
    sh_exit(main());
}

extern uint32_t __stack_top__;
__attribute__((section(".vectors"), used)) static const void *const vectors[2] = {&__stack_top__,
                                                                                 (void *)reset_handler};

#ifdef EDGEC_SEMIHOST_LIBC
void *memset(void *d, int c, size_t n) {
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}
void *memcpy(void *d, const void *s, size_t n) {
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}
size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}
#endif

#endif /* EDGEC_SEMIHOST_BOOT_H */
