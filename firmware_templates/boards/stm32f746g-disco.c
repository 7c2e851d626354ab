/* STM32F746G-DISCO: ST-LINK virtual COM port on USART1, TX PA9, RX PB7 (AF7). Runs on the 16 MHz HSI
 * that the chip starts on (no PLL set-up), so DWT cycles convert to microseconds at 16 MHz. */
#include "board.h"
#include "stm32_gpio.h"

#define RCC_AHB1ENR (*(volatile uint32_t *)0x40023830u)
#define RCC_APB2ENR (*(volatile uint32_t *)0x40023844u)

void board_init(void) {
    RCC_AHB1ENR |= (1u << 0) | (1u << 1); /* GPIOA, GPIOB */
    RCC_APB2ENR |= 1u << 4;               /* USART1 */
    (void)RCC_APB2ENR;                    /* read back: the clock must be on before the registers are used */
    stm32_pin_af(0x40020000u, 9, 7);
    stm32_pin_af(0x40020400u, 7, 7);
}
