/* NUCLEO-L4R5ZI: ST-LINK virtual COM port on LPUART1, TX PG7, RX PG8 (AF8). Port G is powered from VDDIO2,
 * which must be declared valid first. Runs on the 4 MHz MSI it starts on (no PLL set-up). */
#include "board.h"
#include "stm32_gpio.h"

#define RCC_AHB2ENR (*(volatile uint32_t *)0x4002104Cu)
#define RCC_APB1ENR1 (*(volatile uint32_t *)0x40021058u)
#define RCC_APB1ENR2 (*(volatile uint32_t *)0x4002105Cu)
#define PWR_CR2 (*(volatile uint32_t *)0x40007004u)

void board_init(void) {
    RCC_APB1ENR1 |= 1u << 28; /* PWR */
    (void)RCC_APB1ENR1;
    PWR_CR2 |= 1u << 9;       /* IOSV: VDDIO2 valid */
    RCC_AHB2ENR |= 1u << 6;   /* GPIOG */
    RCC_APB1ENR2 |= 1u << 0;  /* LPUART1 */
    (void)RCC_APB1ENR2;
    stm32_pin_af(0x48001800u, 7, 8);
    stm32_pin_af(0x48001800u, 8, 8);
}
