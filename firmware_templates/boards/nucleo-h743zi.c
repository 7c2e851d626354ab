/* NUCLEO-H743ZI: ST-LINK virtual COM port on USART3, TX PD8, RX PD9 (AF7). Runs on the 64 MHz HSI it
 * starts on (no PLL set-up). */
#include "board.h"
#include "stm32_gpio.h"

#define RCC_AHB4ENR (*(volatile uint32_t *)0x580244E0u)
#define RCC_APB1LENR (*(volatile uint32_t *)0x580244E8u)

void board_init(void) {
    RCC_AHB4ENR |= 1u << 3;   /* GPIOD */
    RCC_APB1LENR |= 1u << 18; /* USART3 */
    (void)RCC_APB1LENR;
    stm32_pin_af(0x58020C00u, 8, 7);
    stm32_pin_af(0x58020C00u, 9, 7);
}
