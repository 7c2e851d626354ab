/* QEMU boards need no clock or pin set-up. */
#include "board.h"

void board_init(void) {
}
