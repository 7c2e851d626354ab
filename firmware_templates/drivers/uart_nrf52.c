/* nRF52 UART (legacy, non-DMA) peripheral; pins from EDGEC_UART_TX_PIN / EDGEC_UART_RX_PIN. */
#include "board.h"

#define REG(off) (*(volatile uint32_t *)(EDGEC_UART_BASE + (off)))
#define TASKS_STARTRX REG(0x000u)
#define TASKS_STARTTX REG(0x008u)
#define EVENTS_RXDRDY REG(0x108u)
#define EVENTS_TXDRDY REG(0x11Cu)
#define ENABLE REG(0x500u)
#define PSEL_TXD REG(0x50Cu)
#define PSEL_RXD REG(0x514u)
#define RXD REG(0x518u)
#define TXD REG(0x51Cu)
#define BAUDRATE REG(0x524u)

void uart_init(void) {
    PSEL_TXD = EDGEC_UART_TX_PIN;
    PSEL_RXD = EDGEC_UART_RX_PIN;
    BAUDRATE = EDGEC_UART_BAUD_REG;
    ENABLE = 4u;
    EVENTS_RXDRDY = 0;
    EVENTS_TXDRDY = 0;
    TASKS_STARTRX = 1u;
    TASKS_STARTTX = 1u;
}

void uart_putc(char c) {
    TXD = (uint8_t)c;
    while (!EVENTS_TXDRDY) {
    }
    EVENTS_TXDRDY = 0;
}

int uart_getc(void) {
    while (!EVENTS_RXDRDY) {
    }
    EVENTS_RXDRDY = 0;
    return (int)(RXD & 0xFFu);
}
