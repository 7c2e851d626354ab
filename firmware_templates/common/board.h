/* The few things the benchmark main needs from a board. Each board links one UART driver, one timer driver
 * and (for real boards) a board_init() that starts clocks and muxes the UART pins. */
#ifndef EDGEC_BOARD_H
#define EDGEC_BOARD_H

#include <stdint.h>

void board_init(void); /* clocks and pins; empty on emulated boards */
void uart_init(void);
void uart_putc(char c);
int uart_getc(void); /* blocks until a byte arrives */

void timer_init(void);
uint64_t timer_ticks(void); /* monotonic 64-bit tick count */

/* Set by the build from the board description (targets/boards/<board>.toml):
 *   EDGEC_TIMER_HZ            ticks per second of timer_ticks()
 *   EDGEC_TICK_INSTRUCTIONS   emulated boards: guest instructions per tick (QEMU -icount shift=0), over
 *   EDGEC_TICK_INSTRUCTIONS_DEN  (31.25 on a 32 MHz SysTick is 125 / 4); 0 on real boards
 *   EDGEC_BOARD_NAME          the board's name, for `profile` */
#ifndef EDGEC_TICK_INSTRUCTIONS
#define EDGEC_TICK_INSTRUCTIONS 0
#endif
#ifndef EDGEC_TICK_INSTRUCTIONS_DEN
#define EDGEC_TICK_INSTRUCTIONS_DEN 1
#endif

#endif /* EDGEC_BOARD_H */
