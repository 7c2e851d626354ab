/* The TFLite Micro baseline's side of edgec's benchmark firmware (firmware_templates/common/glue.h): the same
 * bench_main.c, start-up, UART and timer as edgec's firmware, with TFLM's MicroInterpreter running the model.
 * The timed window holds what edgec's holds: copying the loaded input into the model's input tensor(s), and one
 * inference (Invoke). The interpreter is set up once, at boot (edgec_check). Outputs are returned as their raw
 * integer values, so the host compares them bit for bit. */
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <new>

#include "tensorflow/lite/micro/debug_log.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/micro/micro_utils.h"
#include "tensorflow/lite/schema/schema_generated.h"

extern "C" {
#include "board.h"
#include "glue.h"
extern const uint8_t tflm_model_data[];
}

#include "tflm_model_ops.h"

namespace {

using Resolver = tflite::MicroMutableOpResolver<TFLM_OP_COUNT>;

alignas(16) uint8_t arena[TFLM_ARENA_BYTES];
alignas(16) uint8_t db[64 * 1024];  // the loaded input bytes (all inputs, concatenated)
alignas(Resolver) uint8_t resolver_storage[sizeof(Resolver)];
alignas(tflite::MicroInterpreter) uint8_t interpreter_storage[sizeof(tflite::MicroInterpreter)];
tflite::MicroInterpreter* interpreter;
uint32_t input_bytes;

void put(const char* s) {
  while (*s) uart_putc(*s++);
}

void put_u32(uint32_t v) {
  char buf[11];
  int i = 10;
  buf[i] = 0;
  do {
    buf[--i] = static_cast<char>('0' + v % 10u);
    v /= 10u;
  } while (v);
  put(&buf[i]);
}

// Placement-new at boot: edgec's start-up code runs no static constructors.
bool setup() {
  auto* resolver = new (resolver_storage) Resolver();
  TFLM_ADD_OPS((*resolver));
  const tflite::Model* model = tflite::GetModel(tflm_model_data);
  interpreter = new (interpreter_storage) tflite::MicroInterpreter(model, *resolver, arena, sizeof arena);
  if (interpreter->AllocateTensors() != kTfLiteOk) return false;
  input_bytes = 0;
  for (size_t k = 0; k < interpreter->inputs_size(); k++) input_bytes += interpreter->input(k)->bytes;
  return input_bytes <= sizeof db;
}

}  // namespace

extern "C" {

const char edgec_model_id[] = "tflm-" TFLM_MODEL_ID;
const uint32_t edgec_arena_bytes = TFLM_ARENA_BYTES;  // the arena's capacity; used bytes go out at boot
const uint32_t edgec_layer_count = 0;                 // no per-layer profile

uint8_t* edgec_db_buffer(void) { return db; }
uint32_t edgec_db_capacity(void) { return input_bytes; }

void edgec_prepare_inputs(void) {
  uint32_t offset = 0;
  for (size_t k = 0; k < interpreter->inputs_size(); k++) {
    TfLiteTensor* t = interpreter->input(k);
    memcpy(t->data.raw, db + offset, t->bytes);
    offset += t->bytes;
  }
}

int edgec_run(void) { return interpreter->Invoke() == kTfLiteOk ? 0 : 1; }

int edgec_check(void) {
  if (!setup()) {
    put("e-[TFLM: AllocateTensors failed or the input is larger than the load buffer]\r\n");
    return 1;
  }
  put("m-tflm-arena-used-");
  put_u32(static_cast<uint32_t>(interpreter->arena_used_bytes()));
  put("\r\n");
  return 0;
}

uint32_t edgec_result_count(void) {
  uint32_t n = 0;
  for (size_t k = 0; k < interpreter->outputs_size(); k++) {
    const TfLiteTensor* t = interpreter->output(k);
    n += static_cast<uint32_t>(tflite::ElementCount(*t->dims));
  }
  return n;
}

float edgec_result(uint32_t i) {
  for (size_t k = 0; k < interpreter->outputs_size(); k++) {
    const TfLiteTensor* t = interpreter->output(k);
    const uint32_t n = static_cast<uint32_t>(tflite::ElementCount(*t->dims));
    if (i < n) {
      switch (t->type) {
        case kTfLiteInt8: return static_cast<float>(t->data.int8[i]);
        case kTfLiteUInt8: return static_cast<float>(t->data.uint8[i]);
        case kTfLiteInt16: return static_cast<float>(t->data.i16[i]);
        case kTfLiteInt32: return static_cast<float>(t->data.i32[i]);
        case kTfLiteFloat32: return t->data.f[i];
        default: return 0.0f;
      }
    }
    i -= n;
  }
  return 0.0f;
}

/* TFLM's logging (MicroPrintf), to the UART: the format string without its arguments. newlib's vsnprintf would
 * pull in malloc, and the firmware has no heap. */
void DebugLog(const char* format, va_list args) { put(format); }

int DebugVsnprintf(char* buffer, size_t buf_size, const char* format, va_list vlist) {
  size_t n = 0;
  while (format[n] && n + 1 < buf_size) {
    buffer[n] = format[n];
    n++;
  }
  if (buf_size) buffer[n] = 0;
  return static_cast<int>(n);
}

/* Linked with gcc, without libstdc++: the virtual destructors' deleting variants and pure virtuals need these;
 * nothing in the baseline allocates. */
void __cxa_pure_virtual(void) {
  put("e-[TFLM: pure virtual call]\r\n");
  for (;;) {
  }
}

/* TFLM's TFLITE_ABORT: newlib's abort() goes through raise() and malloc, and the firmware has no heap. */
void abort(void) {
  put("e-[TFLM: abort]\r\n");
  for (;;) {
  }
}

}  // extern "C"

void operator delete(void*) noexcept {}
void operator delete(void*, size_t) noexcept {}
