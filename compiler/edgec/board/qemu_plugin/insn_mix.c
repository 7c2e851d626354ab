/* edgec's QEMU TCG plugin: the executed Arm M-profile instructions of the benchmark's timed window, by class.
 *
 * Arguments (-plugin insn_mix.so,out=FILE,begin=ADDR,end=ADDR[,dump=FILE]):
 *   begin, end  addresses of the firmware's two window markers (bench_main.c: edgec_bench_window_begin/_end),
 *               called right after the first timer read of `infer` and right before the second;
 *   out         the counts, as JSON, rewritten each time a window closes (so the host can read it while QEMU runs);
 *   dump        optional: one line per translated instruction (address, class, words, branch, disassembly).
 *
 * Each instruction is classified once, when QEMU translates it, from its disassembly; at run time it costs one
 * or two inline counter increments. A window counts the instructions from the first instruction of the begin
 * marker up to, not including, the first instruction of the end marker; counts add up over windows.
 * Taken branches: a block that ends in a branch is followed either by the block at its fall-through address
 * (not taken) or by another one (taken). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

EDGEC_PLUGIN_EXPORT int qemu_plugin_version = EDGEC_QEMU_PLUGIN_VERSION;

enum insn_class {
    ALU, LOAD, STORE, LOAD_MULTIPLE, STORE_MULTIPLE, MUL, DIV, DSP, FP, FP_MAC, FP_DIV, MVE, MVE_MEM, BRANCH, N_CLASSES
};
static const char *const CLASS_NAMES[N_CLASSES] = {"alu",    "load",   "store", "load_multiple", "store_multiple",
                                                   "mul",    "div",    "dsp",   "fp",            "fp_mac",
                                                   "fp_div", "mve",    "mve_mem", "branch"};

struct counts {
    uint64_t insns;               /* every instruction, counted apart from the classes (a check on them) */
    uint64_t cls[N_CLASSES];
    uint64_t words[2];            /* 32-bit words moved by load_multiple, store_multiple */
    uint64_t taken, not_taken;    /* control transfers: to elsewhere, or on to the fall-through address */
    uint64_t unknown;             /* instructions the disassembler did not know or misread (classified here) */
};

struct tb_info {
    uint64_t start, fallthrough;
    int ends_in_branch;
};

#define MAX_WINDOWS_LISTED 1000u

static struct counts live, at_begin, window;
static uint64_t begin_addr, end_addr, windows;
static uint64_t window_insns[MAX_WINDOWS_LISTED]; /* each window's instruction count, for the first ones */
static int in_window;
static const struct tb_info *last_tb;
static char *out_path;
static FILE *dump;

/* ---- classification (translation time) ---- */

static const char *const CONDS[] = {"eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs",
                                    "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"};

static int is_cond(const char *s) {
    for (size_t i = 0; i < sizeof CONDS / sizeof CONDS[0]; i++)
        if (strcmp(s, CONDS[i]) == 0) return 1;
    return 0;
}

/* `mn` (lower case, size suffix removed) is `name`, optionally with the flag-setting S and/or a condition. */
static int is_mn(const char *mn, const char *name) {
    size_t n = strlen(name);
    if (strncmp(mn, name, n) != 0) return 0;
    const char *rest = mn + n;
    if (*rest == 0) return 1;
    if (is_cond(rest)) return 1;
    return rest[0] == 's' && (rest[1] == 0 || is_cond(rest + 1));
}

static int is_any(const char *mn, const char *const *names) {
    for (; *names; names++)
        if (is_mn(mn, *names)) return 1;
    return 0;
}

static const char *const BRANCHES[] = {"b", "bl", "blx", "bx", "bxns", "blxns", "cbz", "cbnz", "tbb", "tbh",
                                       "le", "letp", "wls", "wlstp", NULL};
static const char *const LOAD_MULTIPLES[] = {"ldm", "ldmia", "ldmdb", "ldmfd", "ldmea", "pop", "vldm", "vldmia",
                                             "vldmdb", "vpop", NULL};
static const char *const STORE_MULTIPLES[] = {"stm", "stmia", "stmdb", "stmfd", "stmea", "push", "vstm", "vstmia",
                                              "vstmdb", "vpush", NULL};
static const char *const LOADS[] = {"ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "ldrt", "ldrbt", "ldrht", "ldrsbt",
                                    "ldrsht", "ldrex", "ldrexb", "ldrexh", "lda", "ldab", "ldah", "ldaex",
                                    "ldaexb", "ldaexh", "vldr", "pld", "pli", NULL};
static const char *const STORES[] = {"str", "strb", "strh", "strt", "strbt", "strht", "strex", "strexb", "strexh",
                                     "stl", "stlb", "stlh", "stlex", "stlexb", "stlexh", "vstr", NULL};
/* Capstone 4 predates Armv8.1-M: it reads MVE's loads and stores as LDC/STC and other vector instructions as
 * coprocessor operations. edgec's firmware uses no coprocessor, so on these cores they are MVE. */
static const char *const MVE_AS_LDC_STC[] = {"ldc", "ldcl", "ldc2", "ldc2l", "stc", "stcl", "stc2", "stc2l", NULL};
static const char *const MVE_AS_COPROC[] = {"mcr", "mcr2", "mrc", "mrc2", "mcrr", "mcrr2", "mrrc", "mrrc2", "cdp",
                                            "cdp2", NULL};
static const char *const MVE_MEMS[] = {"vldrb", "vldrh", "vldrw", "vldrd", "vstrb", "vstrh", "vstrw", "vstrd", "vld20",
                                       "vld21", "vld40", "vld41", "vld42", "vld43", "vst20", "vst21", "vst40", "vst41",
                                       "vst42", "vst43", NULL};
static const char *const FP_MACS[] = {"vmla", "vmls", "vnmla", "vnmls", "vfma", "vfms", "vfnma", "vfnms", NULL};
static const char *const MULS[] = {"mul", "mla", "mls", "smull", "umull", "smlal", "umlal", "umaal",
                                   "smulbb", "smulbt", "smultb", "smultt", "smulwb", "smulwt",
                                   "smlabb", "smlabt", "smlatb", "smlatt", "smlawb", "smlawt",
                                   "smlalbb", "smlalbt", "smlaltb", "smlaltt", "smmul", "smmulr", "smmla", "smmlar",
                                   "smmls", "smmlsr", "smlad", "smladx", "smlsd", "smlsdx", "smuad", "smuadx",
                                   "smusd", "smusdx", "smlald", "smlaldx", "smlsld", "smlsldx", NULL};
static const char *const DSPS[] = {"sadd16", "sadd8", "ssub16", "ssub8", "sasx", "ssax", "uadd16", "uadd8",
                                   "usub16", "usub8", "uasx", "usax", "qadd16", "qadd8", "qsub16", "qsub8", "qasx",
                                   "qsax", "uqadd16", "uqadd8", "uqsub16", "uqsub8", "uqasx", "uqsax", "shadd16",
                                   "shadd8", "shsub16", "shsub8", "shasx", "shsax", "uhadd16", "uhadd8", "uhsub16",
                                   "uhsub8", "uhasx", "uhsax", "qadd", "qsub", "qdadd", "qdsub", "sel", "ssat",
                                   "usat", "ssat16", "usat16", "sxtb16", "sxtab16", "uxtb16", "uxtab16", "sxtab",
                                   "sxtah", "uxtab", "uxtah", "pkhbt", "pkhtb", "usad8", "usada8", NULL};

/* The 32-bit words a register list "{r4, r5, d8, ...}" (or the single register of vldr/vstr) moves. */
static int list_words(const char *ops) {
    const char *p = strchr(ops, '{');
    int words = 0;
    if (!p) { /* vldr/vstr: the first operand */
        while (*ops == ' ') ops++;
        return *ops == 'd' ? 2 : *ops == 'q' ? 4 : 1;
    }
    for (p++; *p && *p != '}'; p++) {
        if (*p == 'r' || *p == 's' || *p == 'd' || *p == 'q' || (*p == 'l' && p[1] == 'r') ||
            (*p == 'p' && p[1] == 'c') || (*p == 's' && p[1] == 'b') || (*p == 'i' && p[1] == 'p') ||
            (*p == 'f' && p[1] == 'p')) {
            if (p[-1] != ' ' && p[-1] != '{' && p[-1] != ',') continue;
            int w = *p == 'd' ? 2 : *p == 'q' ? 4 : 1;
            /* a range "d8-d11" */
            const char *q = p + 1;
            while (isalnum((unsigned char)*q)) q++;
            if (*q == '-' && isdigit((unsigned char)p[1])) {
                int a = atoi(p + 1), b = atoi(q + 2);
                words += w * (b - a + 1);
                p = q + 2;
            } else {
                words += w;
            }
        }
    }
    return words;
}

static int has_q_register(const char *ops) {
    for (const char *p = ops; *p; p++)
        if (*p == 'q' && isdigit((unsigned char)p[1]) && (p == ops || !isalnum((unsigned char)p[-1]))) return 1;
    return 0;
}

static int writes_pc(const char *ops) {
    while (*ops == ' ') ops++;
    return strncmp(ops, "pc", 2) == 0 && (ops[2] == ',' || ops[2] == 0);
}

/* Class of an instruction the disassembler could not decode (capstone 4 predates Armv8.1-M): its encoding. */
static enum insn_class classify_encoding(const uint8_t *b, size_t size, int *branch) {
    if (size != 4) return ALU;
    uint16_t hw1 = (uint16_t)(b[0] | b[1] << 8), hw2 = (uint16_t)(b[2] | b[3] << 8);
    /* coprocessor space: MVE on Armv8.1-M; 1110 110x is where LDC/STC, i.e. the vector loads and stores, live */
    if ((hw1 & 0xEC00u) == 0xEC00u) return (hw1 & 0xEE00u) == 0xEC00u ? MVE_MEM : MVE;
    if ((hw1 & 0xFF80u) == 0xF000u && (hw2 & 0xD001u) == 0xC001u) {
        /* low-overhead loops: WLS/WLSTP and LE/LETP branch; DLS/DLSTP (bit 13 of the second half) set up a loop */
        if (hw2 & 0x2000u) return ALU;
        *branch = 1;
        return BRANCH;
    }
    return ALU;
}

static enum insn_class classify(const char *disas, const uint8_t *bytes, size_t size, int *words, int *branch,
                                int *unknown) {
    char mn[32];
    size_t n = 0;
    const char *p = disas;
    *words = 0;
    *branch = 0;
    *unknown = 0;
    while (*p == ' ' || *p == '\t') p++;
    while (*p && *p != ' ' && *p != '\t' && *p != '.' && n + 1 < sizeof mn) mn[n++] = (char)tolower((unsigned char)*p++);
    mn[n] = 0;
    while (*p && *p != ' ' && *p != '\t') p++; /* size / data-type suffix: .w .n .f32 .s8 ... */
    const char *ops = p;
    if (n == 0 || strcmp(mn, "unknown") == 0 || strcmp(mn, "undefined") == 0 || mn[0] == '<' ||
        strcmp(mn, "invalid") == 0) {
        *unknown = 1;
        return classify_encoding(bytes, size, branch);
    }
    if (is_any(mn, MVE_AS_LDC_STC)) {
        *unknown = 1;
        return MVE_MEM;
    }
    if (is_any(mn, MVE_AS_COPROC)) {
        *unknown = 1;
        return MVE;
    }
    if (is_any(mn, MVE_MEMS)) return MVE_MEM;
    if (mn[0] == 'v' && has_q_register(ops)) return MVE; /* VFP never names a Q register on M-profile */
    if (strncmp(mn, "it", 2) == 0 && strspn(mn + 2, "te") == strlen(mn + 2)) return ALU;
    if (is_any(mn, BRANCHES)) {
        *branch = 1;
        return BRANCH;
    }
    if (is_any(mn, LOAD_MULTIPLES)) {
        *words = list_words(ops);
        *branch = strstr(ops, "pc") != NULL;
        return LOAD_MULTIPLE;
    }
    if (is_any(mn, STORE_MULTIPLES)) {
        *words = list_words(ops);
        return STORE_MULTIPLE;
    }
    if (is_mn(mn, "ldrd") || is_mn(mn, "ldrexd") || is_mn(mn, "ldaexd")) {
        *words = 2;
        return LOAD_MULTIPLE;
    }
    if (is_mn(mn, "strd") || is_mn(mn, "strexd") || is_mn(mn, "stlexd")) {
        *words = 2;
        return STORE_MULTIPLE;
    }
    if (is_any(mn, LOADS)) {
        if (is_mn(mn, "vldr") && list_words(ops) > 1) {
            *words = list_words(ops);
            return LOAD_MULTIPLE;
        }
        *branch = writes_pc(ops);
        return LOAD;
    }
    if (is_any(mn, STORES)) {
        if (is_mn(mn, "vstr") && list_words(ops) > 1) {
            *words = list_words(ops);
            return STORE_MULTIPLE;
        }
        return STORE;
    }
    if (is_mn(mn, "sdiv") || is_mn(mn, "udiv")) return DIV;
    if (is_mn(mn, "vdiv") || is_mn(mn, "vsqrt")) return FP_DIV;
    if (is_any(mn, MULS)) return MUL;
    if (is_any(mn, DSPS)) return DSP;
    if (is_any(mn, FP_MACS)) return FP_MAC;
    if (mn[0] == 'v') return FP;
    if (writes_pc(ops)) { /* mov pc, rX / add pc, ... */
        *branch = 1;
        return BRANCH;
    }
    return ALU;
}

/* ---- run time ---- */

static void add_counts(struct counts *acc, const struct counts *now, const struct counts *then) {
    acc->insns += now->insns - then->insns;
    for (int i = 0; i < N_CLASSES; i++) acc->cls[i] += now->cls[i] - then->cls[i];
    for (int i = 0; i < 2; i++) acc->words[i] += now->words[i] - then->words[i];
    acc->taken += now->taken - then->taken;
    acc->not_taken += now->not_taken - then->not_taken;
    acc->unknown += now->unknown - then->unknown;
}

static void write_counts(void) {
    size_t len = strlen(out_path);
    char *tmp = malloc(len + 5);
    if (!tmp) return;
    memcpy(tmp, out_path, len);
    memcpy(tmp + len, ".tmp", 5);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        qemu_plugin_outs("insn_mix: cannot write the counts file\n");
        free(tmp);
        return;
    }
    fprintf(f, "{\"windows\": %" PRIu64 ", \"instructions\": %" PRIu64 ", \"classes\": {", windows, window.insns);
    for (int i = 0; i < N_CLASSES; i++)
        fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "", CLASS_NAMES[i], window.cls[i]);
    fprintf(f, "}, \"load_multiple_words\": %" PRIu64 ", \"store_multiple_words\": %" PRIu64
               ", \"branches_taken\": %" PRIu64 ", \"branches_not_taken\": %" PRIu64 ", \"unknown\": %" PRIu64,
            window.words[0], window.words[1], window.taken, window.not_taken, window.unknown);
    fprintf(f, ", \"per_window\": [");
    for (uint64_t i = 0; i < windows && i < MAX_WINDOWS_LISTED; i++)
        fprintf(f, "%s%" PRIu64, i ? ", " : "", window_insns[i]);
    fprintf(f, "]}\n");
    fclose(f);
    rename(tmp, out_path);
    free(tmp);
}

static void tb_exec(unsigned int vcpu_index, void *userdata) {
    const struct tb_info *tb = userdata;
    (void)vcpu_index;
    if (last_tb && last_tb->ends_in_branch) {
        if (tb->start == last_tb->fallthrough)
            live.not_taken++;
        else
            live.taken++;
    }
    last_tb = tb;
    if (tb->start == begin_addr && !in_window) {
        at_begin = live;
        in_window = 1;
    } else if (tb->start == end_addr && in_window) {
        add_counts(&window, &live, &at_begin);
        if (windows < MAX_WINDOWS_LISTED) window_insns[windows] = live.insns - at_begin.insns;
        windows++;
        in_window = 0;
        write_counts();
    }
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    size_t n = qemu_plugin_tb_n_insns(tb);
    struct tb_info *info = calloc(1, sizeof *info); /* lives as long as the translation: never freed */
    (void)id;
    if (!info) return;
    info->start = qemu_plugin_tb_vaddr(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        char *disas = qemu_plugin_insn_disas(insn);
        int words, branch, unknown;
        enum insn_class c = classify(disas ? disas : "", qemu_plugin_insn_data(insn), qemu_plugin_insn_size(insn),
                                     &words, &branch, &unknown);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &live.insns, 1);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &live.cls[c], 1);
        if (words)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       &live.words[c == LOAD_MULTIPLE ? 0 : 1], (uint64_t)words);
        if (unknown) qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &live.unknown, 1);
        if (i + 1 == n) {
            info->fallthrough = qemu_plugin_insn_vaddr(insn) + qemu_plugin_insn_size(insn);
            info->ends_in_branch = branch;
        }
        if (dump) {
            const uint8_t *b = qemu_plugin_insn_data(insn);
            size_t size = qemu_plugin_insn_size(insn);
            fprintf(dump, "%08" PRIx64 " %s %d %d ", qemu_plugin_insn_vaddr(insn), CLASS_NAMES[c], words, branch);
            for (size_t k = 0; k < size; k++) fprintf(dump, "%02x", b[k]);
            fprintf(dump, " %s\n", disas ? disas : "");
        }
        free(disas);
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, info);
}

static void at_exit(qemu_plugin_id_t id, void *userdata) {
    (void)id;
    (void)userdata;
    if (dump) fclose(dump);
    dump = NULL;
}

static int parse_address(const char *s, uint64_t *out) {
    char *end;
    *out = strtoull(s, &end, 0) & ~(uint64_t)1; /* Thumb function symbols carry bit 0 */
    return *s && !*end;
}

EDGEC_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    int have_begin = 0, have_end = 0;
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "arg=", 4) == 0) a += 4; /* QEMU before 7.0 passed arguments as arg=KEY=VALUE */
        if (strncmp(a, "out=", 4) == 0) {
            out_path = strdup(a + 4);
        } else if (strncmp(a, "begin=", 6) == 0) {
            have_begin = parse_address(a + 6, &begin_addr);
        } else if (strncmp(a, "end=", 4) == 0) {
            have_end = parse_address(a + 4, &end_addr);
        } else if (strncmp(a, "dump=", 5) == 0) {
            dump = fopen(a + 5, "w");
            if (!dump) {
                qemu_plugin_outs("insn_mix: cannot open the dump file\n");
                return 1;
            }
        } else {
            fprintf(stderr, "insn_mix: unknown argument '%s'\n", a);
            return 1;
        }
    }
    if (!out_path || !have_begin || !have_end || begin_addr == end_addr) {
        fprintf(stderr, "insn_mix: needs out=FILE, begin=ADDR and end=ADDR (two different addresses)\n");
        return 1;
    }
    write_counts(); /* an empty result until the first window closes */
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
