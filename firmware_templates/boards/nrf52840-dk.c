/* nRF52840-DK: the J-Link virtual COM port is wired to P0.06 (TX) and P0.08 (RX); the UART driver muxes
 * them, and the CPU runs at 64 MHz from reset. */
#include "board.h"

void board_init(void) {
}
