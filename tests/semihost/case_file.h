/* The fuzz harnesses' case file (packed_fuzz.c, ternary_fuzz.c): cases.bin opened and read, and failing case
 * indices reported, through semihosting on QEMU or stdio on the host. Included once, by the harness. */
#ifndef EDGEC_TEST_CASE_FILE_H
#define EDGEC_TEST_CASE_FILE_H

#include <stdint.h>

#ifdef __arm__
#define EDGEC_SEMIHOST_LIBC
#include "boot.h"
static int32_t file;
static int open_cases(void) {
    static const char name[] = "cases.bin";
    const uint32_t a[3] = {(uint32_t)name, 1 /* rb */, sizeof name - 1};
    file = semihost(0x01, a);
    return file >= 0;
}
static int read_bytes(void *dst, uint32_t n) {
    const uint32_t a[3] = {(uint32_t)file, (uint32_t)dst, n};
    return n == 0 || semihost(0x06, a) == 0; /* SYS_READ returns the bytes not read */
}
static void report(int32_t i) {
    char s[16];
    int k = 15;
    s[k] = 0;
    s[--k] = '\n';
    do s[--k] = (char)('0' + i % 10); while ((i /= 10) > 0);
    semihost(0x04, s + k); /* SYS_WRITE0 */
}
#else
#include <stdio.h>
static FILE *file;
static int open_cases(void) { return (file = fopen("cases.bin", "rb")) != NULL; }
static int read_bytes(void *dst, uint32_t n) { return fread(dst, 1, n, file) == n; }
static void report(int32_t i) { printf("%ld\n", (long)i); }
#endif

#endif
