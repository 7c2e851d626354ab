/* Misbehaving firmware for the fault tests (and the timer calibration), built with -DMODE_<X>.
 * It links the real start-up code and drivers; only main() differs from the benchmark firmware. */
#include <stdint.h>

#include "board.h"

static void put_str(const char *s) {
    while (*s) uart_putc(*s++);
}

__attribute__((unused)) static void put_u32(uint32_t v) {
    char buf[11];
    int i = 10;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    put_str(&buf[i]);
}

__attribute__((unused)) static void wait_command(void) {
    while (uart_getc() != '%') {
    }
}

int main(void) {
    board_init();
    uart_init();
    timer_init();
#if defined(MODE_SILENT)
    for (;;) {
    }
#endif
    put_str("m-timestamp-mode-performance\r\nm-lap-us-0\r\nm-init-done\r\n");
#if defined(MODE_NO_READY)
    for (;;) {
    }
#endif
    put_str("m-ready\r\n");
    for (;;) {
        wait_command();
#if defined(MODE_GARBAGE)
        for (unsigned i = 0; i < 64; i++) uart_putc((char)(0x80u + i * 7u));
        put_str("\r\nm-ready\r\n");
#elif defined(MODE_HARDFAULT)
        __asm volatile("udf #0"); /* UsageFault, escalated to HardFault */
#elif defined(MODE_TIMER)
        /* 2 instructions per iteration (subs, bne): 2 * LOOPS instructions between the two reads, plus a few. */
        uint32_t n = LOOPS;
        uint64_t t0 = timer_ticks();
        __asm volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
        uint64_t t1 = timer_ticks();
        put_str("m-ticks-");
        put_u32((uint32_t)(t1 - t0));
        put_str("\r\nm-ready\r\n");
#endif
    }
}
