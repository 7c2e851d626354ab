/* Semihosting test firmware: run a generated model on every input record of in.bin, write out.bin, exit.
 * Only for tests under qemu-system-arm -semihosting (the board layer, with UART and timers, is elsewhere). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model.h"

static int32_t semihost(int32_t op, const void *args) {
    register int32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = args;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static int32_t sh_open(const char *path, int32_t mode) {
    const uint32_t args[3] = {(uint32_t)path, mode, (uint32_t)strlen(path)};
    return semihost(0x01, args);
}

static void sh_exit(int32_t code) {
    const uint32_t args[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    semihost(0x20, args);  /* SYS_EXIT_EXTENDED */
    for (;;) {}
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
__attribute__((section(".vectors"), used)) static const void *const vectors[2] = {&__stack_top__, (void *)reset_handler};

static uint8_t in_buf[MODEL_INPUT0_BYTES];
static uint8_t out_buf[MODEL_OUTPUT0_BYTES];

int main(void) {
    const int32_t fin = sh_open("in.bin", 1 /* rb */);
    const int32_t fout = sh_open("out.bin", 5 /* wb */);
    if (fin < 0 || fout < 0) return 2;
    for (;;) {
        uint32_t rd[3] = {(uint32_t)fin, (uint32_t)in_buf, sizeof in_buf};
        if (semihost(0x06, rd) != 0) break; /* SYS_READ returns the bytes NOT read */
        if (MODEL_RUN(in_buf, out_buf) != 0) return 3;
        uint32_t wr[3] = {(uint32_t)fout, (uint32_t)out_buf, sizeof out_buf};
        if (semihost(0x05, wr) != 0) return 4;
    }
    uint32_t c1[1] = {(uint32_t)fin}, c2[1] = {(uint32_t)fout};
    semihost(0x02, c1);
    semihost(0x02, c2);
    return 0;
}
