/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320: the one zlib, PNG and Python's zlib.crc32 compute), for
 * `edgec compile --checksum`: <name>_check() recomputes it over the weights at start-up, for devices whose
 * weights sit in external flash or were written by a bootloader. */
#ifndef EDGEC_CRC32_H
#define EDGEC_CRC32_H

#include "edgec_common.h"

/* Continue a CRC over n more bytes; start with crc = 0. Same chaining as zlib's crc32(). */
uint32_t edgec_crc32(uint32_t crc, const void *data, size_t n);

#endif /* EDGEC_CRC32_H */
