/* Semihosting firmware for greedy decoding: for each record of in.bin (int32 prompt_len, int32 n, int32
 * prompt[GEN_MAX_PROMPT]) call <name>_generate and write a record to out.bin (int32 status, uint32 SysTick
 * ticks of the call, uint32 stack bytes it used, int32 tokens[GEN_MAX_N]). Under QEMU -icount shift=0 a tick
 * is a fixed number of guest instructions (targets/boards/mps2-an500.toml). The SysTick runs without its
 * interrupt: one call must take fewer than 2^24 ticks (tests/generate_qemu.py checks it). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "boot.h"
#include "generate.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define STACK_PAINT_BYTES 16384u
#define STACK_PAINT 0x5AA5C33Cu

static int32_t sh_open(const char *path, int32_t mode) {
    const uint32_t args[3] = {(uint32_t)path, mode, (uint32_t)strlen(path)};
    return semihost(0x01, args);
}

static struct {
    int32_t prompt_len, n;
    int32_t prompt[GEN_MAX_PROMPT];
} in_rec;
static struct {
    int32_t status;
    uint32_t ticks, stack_bytes;
    int32_t tokens[GEN_MAX_N];
} out_rec;

/* Paint the stack below the caller's frame; what generate's calls leave unpainted is the stack they used. */
static __attribute__((noinline)) uint32_t *paint_stack(void) {
    uint32_t *sp = (uint32_t *)__builtin_frame_address(0);
    uint32_t *low = sp - STACK_PAINT_BYTES / 4u;
    for (uint32_t *p = low; p < sp - 16; ++p) *p = STACK_PAINT;
    return low;
}

static uint32_t stack_used(const uint32_t *low) {
    const uint32_t *p = low;
    while (*p == STACK_PAINT) ++p;
    return (uint32_t)((const uint8_t *)(low + STACK_PAINT_BYTES / 4u) - (const uint8_t *)p);
}

int main(void) {
    const int32_t fin = sh_open("in.bin", 1 /* rb */);
    const int32_t fout = sh_open("out.bin", 5 /* wb */);
    if (fin < 0 || fout < 0) return 2;
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 0x5u; /* enable, processor clock, no interrupt */
    for (;;) {
        uint32_t rd[3] = {(uint32_t)fin, (uint32_t)&in_rec, sizeof in_rec};
        if (semihost(0x06, rd) != 0) break; /* SYS_READ returns the bytes NOT read */
        if (in_rec.n > GEN_MAX_N || in_rec.prompt_len > GEN_MAX_PROMPT) return 3;
        memset(&out_rec, 0, sizeof out_rec);
        const uint32_t *low = paint_stack();
        const uint32_t t0 = SYST_CVR;
        out_rec.status = GEN_FN(in_rec.prompt, in_rec.prompt_len, in_rec.n, out_rec.tokens);
        const uint32_t t1 = SYST_CVR;
        out_rec.ticks = (t0 - t1) & 0x00FFFFFFu; /* it counts down */
        out_rec.stack_bytes = stack_used(low);
        uint32_t wr[3] = {(uint32_t)fout, (uint32_t)&out_rec, sizeof out_rec};
        if (semihost(0x05, wr) != 0) return 4;
    }
    uint32_t c1[1] = {(uint32_t)fin}, c2[1] = {(uint32_t)fout};
    semihost(0x02, c1);
    semihost(0x02, c2);
    return 0;
}
