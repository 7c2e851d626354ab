/* Benchmark firmware: the MLPerf Tiny / EEMBC EnergyRunner serial protocol in performance mode
 * (see docs/PROTOCOL.md), plus extension lines a plain runner ignores (m-instructions-/m-cycles-, stack) and a
 * `layers` command for the per-layer profile. */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "glue.h"
#include "stack.h"

#define CMD_SIZE 80u
#define FW_ID "edgec-bench-1"

#ifndef EDGEC_BOARD_NAME
#define EDGEC_BOARD_NAME "unknown"
#endif

/* ---- output ---- */

static void put_str(const char *s) {
    while (*s) uart_putc(*s++);
}

static void put_line(const char *s) {
    put_str(s);
    put_str("\r\n");
}

static void put_u64(uint64_t v) {
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v);
    put_str(&buf[i]);
}

static void put_i64(int64_t v) {
    if (v < 0) {
        uart_putc('-');
        put_u64((uint64_t)(-(v + 1)) + 1u);
    } else {
        put_u64((uint64_t)v);
    }
}

/* printf("%0.3f") without printf: single-precision only, so no soft-float doubles on an SP FPU. */
static void put_f3(float v) {
    if (v != v) {
        put_str("nan");
        return;
    }
    if (v < 0.0f) {
        uart_putc('-');
        v = -v;
    }
    if (v > 1.8e19f) {
        put_str("inf");
        return;
    }
    uint64_t ip = (uint64_t)v;
    uint32_t frac = (uint32_t)((v - (float)ip) * 1000.0f + 0.5f);
    if (frac >= 1000u) {
        ip++;
        frac -= 1000u;
    }
    put_u64(ip);
    uart_putc('.');
    uart_putc((char)('0' + frac / 100u));
    uart_putc((char)('0' + frac / 10u % 10u));
    uart_putc((char)('0' + frac % 10u));
}

static void put_hex2(uint8_t b) {
    uart_putc("0123456789abcdef"[b >> 4]);
    uart_putc("0123456789abcdef"[b & 0xFu]);
}

/* ---- time ---- */

static uint64_t ticks_to_us(uint64_t t) {
    return t / EDGEC_TIMER_HZ * 1000000u + t % EDGEC_TIMER_HZ * 1000000u / EDGEC_TIMER_HZ;
}

/* Emulated boards: microseconds of QEMU's virtual clock, not of any real chip. */
static void timestamp(void) {
    put_str("m-lap-us-");
    put_u64(ticks_to_us(timer_ticks()));
    put_str("\r\n");
}

/* ---- tokens ---- */

static char *next_token(char **cursor) {
    char *p = *cursor;
    while (*p == ' ') p++;
    if (!*p) return NULL;
    char *tok = p;
    while (*p && *p != ' ') p++;
    if (*p) *p++ = 0;
    *cursor = p;
    return tok;
}

/* atoi() semantics: leading sign and digits, stop at the first other character. */
static long to_long(const char *s) {
    long sign = 1, v = 0;
    if (*s == '-' || *s == '+') sign = (*s++ == '-') ? -1 : 1;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return sign * v;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* ---- commands ---- */

static uint32_t db_size, db_pos;

static void cmd_db(char **cursor) {
    char *sub = next_token(cursor);
    if (!sub) {
        put_line("e-[Command 'db' requires a subcommand]");
    } else if (strcmp(sub, "load") == 0) {
        char *n = next_token(cursor);
        if (!n) {
            put_line("e-[Command 'db load' requires the # of bytes]");
            return;
        }
        long size = to_long(n);
        db_pos = 0;
        if (size <= 0) {
            db_size = 0;
            put_line("e-[Command 'db load' must be >0 bytes]");
        } else if ((unsigned long)size > edgec_db_capacity()) {
            db_size = 0; /* unlike the reference, refuse the load so later bytes cannot overrun */
            put_str("Supplied buffer size ");
            put_u64((uint64_t)size);
            put_str(" exceeds maximum of ");
            put_u64(edgec_db_capacity());
            put_str("\r\n");
        } else {
            db_size = (uint32_t)size;
            put_str("m-[Expecting ");
            put_u64(db_size);
            put_str(" bytes]\r\n");
        }
    } else if (strcmp(sub, "print") == 0) {
        const uint8_t *buf = edgec_db_buffer();
        for (uint32_t i = 0; i < db_size; i++) {
            if (i % 8u == 0) put_str("m-buffer-");
            put_hex2(buf[i]);
            put_str((i + 1u) % 8u == 0 || i + 1u == db_size ? "\r\n" : "-");
        }
    } else {
        size_t n = strlen(sub);
        if (n % 2u) {
            put_line("e-[Insufficent number of hex digits]");
            return;
        }
        uint8_t *buf = edgec_db_buffer();
        for (size_t i = 0; i < n; i += 2) {
            int hi = hex_value(sub[i]), lo = hex_value(sub[i + 1]);
            if (hi < 0 || lo < 0) {
                char pair[3] = {sub[i], sub[i + 1], 0};
                put_str("e-[Invalid hex digit '");
                put_str(pair);
                put_str("']\r\n");
                return;
            }
            if (db_pos >= db_size) return; /* nothing expected: drop, never overrun */
            buf[db_pos++] = (uint8_t)(hi << 4 | lo);
            if (db_pos == db_size) {
                put_line("m-load-done");
                return;
            }
        }
    }
}

static void results(void) {
    uint32_t n = edgec_result_count();
    put_str("m-results-[");
    for (uint32_t i = 0; i < n; i++) {
        put_f3(edgec_result(i));
        if (i + 1u < n) uart_putc(',');
    }
    put_str("]\r\n");
}

/* ---- per-layer profile: built with -DEDGEC_PROFILE_LAYERS (edgec bench --layers), the model calls this after
 * each layer. Only the timed runs of `infer` count; the bookkeeping here is charged to no layer. ---- */
#ifdef EDGEC_PROFILE_LAYERS
#define MAX_PROFILED_LAYERS 1024u
static uint64_t layer_ticks[MAX_PROFILED_LAYERS];
static uint64_t layer_mark;
static int layer_profiling;

void edgec_layer_done(int32_t index) {
    const uint64_t now = timer_ticks();
    if (layer_profiling && index >= 0 && (uint32_t)index < MAX_PROFILED_LAYERS) layer_ticks[index] += now - layer_mark;
    layer_mark = timer_ticks();
}
#endif

/* The instruction count (emulated boards) or cycle count of `ticks`, with its unit's line prefix. */
static void put_count(uint64_t ticks) {
#if EDGEC_TICK_INSTRUCTIONS
    put_str("instructions-");
    put_u64(ticks * EDGEC_TICK_INSTRUCTIONS / EDGEC_TICK_INSTRUCTIONS_DEN);
#else
    put_str("cycles-");
    put_u64(ticks);
#endif
}

static void layers(void) {
#ifdef EDGEC_PROFILE_LAYERS
    const uint32_t n = edgec_layer_count < MAX_PROFILED_LAYERS ? edgec_layer_count : MAX_PROFILED_LAYERS;
    put_str("m-layers-");
    put_u64(n);
    put_str("\r\n");
    for (uint32_t i = 0; i < n; i++) { /* summed over the timed runs of the last `infer` */
        put_str("m-layer-");
        put_u64(i);
        uart_putc('-');
        put_count(layer_ticks[i]);
        put_str("\r\n");
    }
#else
    put_line("e-[Per-layer profile not built in: edgec bench --layers]");
#endif
}

/* The timed window's markers: empty calls just inside the two timer reads of `infer`, never inlined nor merged,
 * so that their addresses (from the ELF) show QEMU's instruction-mix plugin where the timed runs start and end
 * (edgec bench on emulated boards: estimated cycles). */
__attribute__((noinline, noipa, used)) void edgec_bench_window_begin(void) {
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline, noipa, used)) void edgec_bench_window_end(void) {
    __asm__ volatile("" ::: "memory");
}

static int run_once(void) {
    edgec_prepare_inputs();
    return edgec_run();
}

/* Set at start-up from edgec_check(): damaged weights would give wrong answers that look like right ones. */
static int weights_damaged;

static void infer(long n, long warmup) {
    int failed = 0;
    if (weights_damaged) {
        put_line("e-[the model's weights fail their CRC-32 check: flash is damaged or was written incompletely]");
        return;
    }
    if (warmup > 0) {
        put_str("m-warmup-start-");
        put_i64(warmup);
        put_str("\r\n");
        for (long i = 0; i < warmup; i++) failed |= run_once();
        put_line("m-warmup-done");
    }
    put_str("m-infer-start-");
    put_i64(n);
    put_str("\r\n");
#ifdef EDGEC_PROFILE_LAYERS
    memset(layer_ticks, 0, sizeof layer_ticks);
    layer_profiling = 1;
#endif
    uint64_t t0 = timer_ticks();
    edgec_bench_window_begin();
    for (long i = 0; i < n; i++) failed |= run_once();
    edgec_bench_window_end();
    uint64_t t1 = timer_ticks();
#ifdef EDGEC_PROFILE_LAYERS
    layer_profiling = 0;
#endif
    put_str("m-lap-us-");
    put_u64(ticks_to_us(t0));
    put_str("\r\nm-lap-us-");
    put_u64(ticks_to_us(t1));
    put_str("\r\n");
    put_line("m-infer-done");
    if (failed) put_line("e-[Model run failed]");
    results();
    put_str("m-"); /* m-instructions- or m-cycles-, for all N timed inferences */
    put_count(t1 - t0);
    put_str("\r\nm-stack-high-water-");
    put_u64(stack_high_water());
    put_str("\r\n");
}

static void help(void) {
    put_line(FW_ID);
    put_line("");
    put_line("help         : Print this information");
    put_line("name         : Print the name of the device");
    put_line("timestamp    : Generate a timestamp");
    put_line("db SUBCMD    : Manipulate a generic byte buffer");
    put_line("  load N     : Allocate N bytes and set load counter");
    put_line("  db HH[HH]* : Load 8-bit hex byte(s) until N bytes");
    put_line("  print      : Print the loaded bytes as hex, 8 a line");
    put_line("infer N [W=10]: Load input, execute N inferences after W warmup loops");
    put_line("results      : Return the result fp32 vector");
    put_line("layers       : Per-layer instructions/cycles of the last infer (profiled builds)");
}

static void command(char *line) {
    char *cursor = line;
    char *tok = next_token(&cursor);
    if (!tok) tok = "";
    if (strcmp(tok, "name") == 0) {
        put_line("m-name-dut-[" EDGEC_BOARD_NAME "]");
    } else if (strcmp(tok, "profile") == 0) {
        put_line("m-profile-[" FW_ID "]");
        put_str("m-model-[");
        put_str(edgec_model_id);
        put_str("]\r\nm-arena-bytes-");
        put_u64(edgec_arena_bytes);
        put_str("\r\nm-stack-size-");
        put_u64(stack_size());
        put_str("\r\n");
    } else if (strcmp(tok, "timestamp") == 0) {
        timestamp();
    } else if (strcmp(tok, "help") == 0) {
        help();
    } else if (strcmp(tok, "db") == 0) {
        cmd_db(&cursor);
    } else if (strcmp(tok, "infer") == 0) {
        long n = 1, w = 10;
        char *arg = next_token(&cursor);
        if (arg) {
            n = to_long(arg);
            if (n <= 0) {
                put_line("e-[Inference iterations must be >0]");
                put_line("m-ready");
                return;
            }
            arg = next_token(&cursor);
            if (arg) {
                w = to_long(arg);
                if (w < 0) {
                    put_line("e-[Inference warmup must be >=0]");
                    put_line("m-ready");
                    return;
                }
            }
        }
        infer(n, w);
    } else if (strcmp(tok, "results") == 0) {
        results();
    } else if (strcmp(tok, "layers") == 0) {
        layers();
    } else {
        put_str("e-[Unknown command: ");
        put_str(tok);
        put_str("]\r\n");
    }
    put_line("m-ready");
}

int main(void) {
    static char buf[CMD_SIZE + 1];
    uint32_t pos = 0;

    board_init();
    uart_init();
    timer_init();
    weights_damaged = edgec_check() != 0;
    put_line("m-timestamp-mode-performance");
    timestamp();
    put_line("m-init-done");
    put_line("m-ready");
    for (;;) {
        char c = (char)uart_getc();
        if (c == '%') {
            buf[pos] = 0;
            command(buf);
            pos = 0;
        } else if (c != '\r' && c != '\n' && pos < CMD_SIZE) {
            buf[pos++] = c; /* characters past 80 are dropped, as the reference's buffer does */
        }
    }
}
