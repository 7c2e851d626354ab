/* What the benchmark main needs from the model. edgec generates edgec_glue.c for each model, so this main
 * never depends on the model's name, its number of inputs or its output types. */
#ifndef EDGEC_GLUE_H
#define EDGEC_GLUE_H

#include <stdint.h>

extern const char edgec_model_id[];
extern const uint32_t edgec_arena_bytes;
extern const uint32_t edgec_layer_count; /* layers of the model, as report.json lists them */

uint8_t *edgec_db_buffer(void);   /* where `db` writes the input bytes (all inputs, concatenated) */
uint32_t edgec_db_capacity(void); /* its size */
void edgec_prepare_inputs(void);  /* before each inference: put the loaded bytes into the model's inputs */
int edgec_run(void);              /* one inference; 0 on success */
int edgec_check(void);            /* 0 if the weights are intact (edgec --checksum), or built without it */
uint32_t edgec_result_count(void);
float edgec_result(uint32_t i); /* output value i (outputs concatenated), dequantized */

#endif
