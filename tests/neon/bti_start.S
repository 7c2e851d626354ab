/* The process entry for harnesses run with BTI enforced (test_neon): glibc's _start with a landing pad.
 * Debian's crt1.o begins with a NOP where the dynamic loader's BR lands, so a BTI-marked program that starts
 * there faults before main. This one lands on BTI C and hands over to __libc_start_main as crt1.o does (init and
 * fini null: glibc 2.34+ runs the constructors itself). */
    .text
    .globl _start
    .type _start, %function
_start:
    hint #34                /* BTI C */
    mov x29, #0
    mov x30, #0
    mov x5, x0              /* rtld_fini, from the loader */
    ldr x1, [sp]            /* argc */
    add x2, sp, #8          /* argv */
    mov x6, sp              /* stack_end */
    adrp x0, main
    add x0, x0, :lo12:main
    mov x3, #0
    mov x4, #0
    bl __libc_start_main
    brk #0
    .size _start, . - _start
    .section .note.GNU-stack, "", %progbits
