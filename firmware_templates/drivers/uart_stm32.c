/* STM32 USART / LPUART, "v2" register layout (F7, H7, L4). Pins and clocks are set up by board_init().
 * EDGEC_UART_BRR is computed by the build from the peripheral clock and baud rate. */
#include "board.h"

#define USART_CR1 (*(volatile uint32_t *)(EDGEC_UART_BASE + 0x00u))
#define USART_BRR (*(volatile uint32_t *)(EDGEC_UART_BASE + 0x0Cu))
#define USART_ISR (*(volatile uint32_t *)(EDGEC_UART_BASE + 0x1Cu))
#define USART_RDR (*(volatile uint32_t *)(EDGEC_UART_BASE + 0x24u))
#define USART_TDR (*(volatile uint32_t *)(EDGEC_UART_BASE + 0x28u))

#define CR1_UE (1u << 0)
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define ISR_ORE (1u << 3)
#define ISR_RXNE (1u << 5)
#define ISR_TXE (1u << 7)
#define ICR (*(volatile uint32_t *)(EDGEC_UART_BASE + 0x20u))

void uart_init(void) {
    USART_CR1 = 0;
    USART_BRR = EDGEC_UART_BRR;
    USART_CR1 = CR1_UE | CR1_RE | CR1_TE;
}

void uart_putc(char c) {
    while (!(USART_ISR & ISR_TXE)) {
    }
    USART_TDR = (uint8_t)c;
}

int uart_getc(void) {
    for (;;) {
        uint32_t isr = USART_ISR;
        if (isr & ISR_RXNE) return (int)(USART_RDR & 0xFFu);
        if (isr & ISR_ORE) ICR = ISR_ORE; /* an overrun would otherwise stall reception */
    }
}
