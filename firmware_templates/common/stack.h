/* Stack high-water mark: paint the stack at boot, later count how much of the paint is gone. */
#ifndef EDGEC_STACK_H
#define EDGEC_STACK_H

#include <stdint.h>

void stack_paint(void);
uint32_t stack_high_water(void); /* bytes of stack ever used since boot */
uint32_t stack_size(void);

#endif
