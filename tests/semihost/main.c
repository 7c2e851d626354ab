/* Semihosting test firmware: run a generated model on every input record of in.bin, write out.bin, exit.
 * Only for tests under qemu-system-arm -semihosting (the board layer, with UART and timers, is elsewhere). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "boot.h"
#include "model.h"

static int32_t sh_open(const char *path, int32_t mode) {
    const uint32_t args[3] = {(uint32_t)path, mode, (uint32_t)strlen(path)};
    return semihost(0x01, args);
}

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
