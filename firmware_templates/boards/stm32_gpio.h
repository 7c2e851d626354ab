/* STM32 GPIO alternate-function set-up, shared by the STM32 boards (same GPIO block on F7, H7, L4). */
#ifndef EDGEC_STM32_GPIO_H
#define EDGEC_STM32_GPIO_H

#include <stdint.h>

static inline void stm32_pin_af(uint32_t gpio_base, unsigned pin, unsigned af) {
    volatile uint32_t *moder = (volatile uint32_t *)(gpio_base + 0x00u);
    volatile uint32_t *afr = (volatile uint32_t *)(gpio_base + (pin < 8 ? 0x20u : 0x24u));
    unsigned shift = (pin % 8u) * 4u;
    *afr = (*afr & ~(0xFu << shift)) | ((uint32_t)af << shift);
    *moder = (*moder & ~(0x3u << (pin * 2u))) | (0x2u << (pin * 2u));
}

#endif
