/* TFLite's DETECTION_POSTPROCESS custom operator (SSD detectors), float32, fast NMS (use_regular_nms = false), as
 * LiteRT's detection_postprocess.cc computes it: decode the center-size box encodings against the anchors, take
 * each anchor's best classes, keep the anchors whose best score is >= the score threshold, sort them by score
 * (descending, stable), and select greedily, dropping any box whose IoU with a selected one is > the IoU
 * threshold, up to max_detections. */
#ifndef EDGEC_DETECTION_POSTPROCESS_F32_H
#define EDGEC_DETECTION_POSTPROCESS_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t num_anchors;
    int32_t num_classes_with_background; /* the scores' last dimension */
    int32_t label_offset;                /* num_classes_with_background - num_classes */
    int32_t num_classes;
    int32_t classes_per_anchor;          /* min(max_classes_per_detection, num_classes) */
    int32_t max_classes_per_detection;   /* the outputs' stride per detection */
    int32_t max_detections;
    float score_threshold, iou_threshold;
    float y_scale, x_scale, h_scale, w_scale;
} edgec_detection_postprocess_params;

/* Scratch (int32 words): num_anchors * (5 + classes_per_anchor) + num_anchors (decoded boxes, best scores, class
 * indices, kept anchors and their order). Outputs: boxes [max_detections * max_classes_per_detection][4] (ymin,
 * xmin, ymax, xmax), classes and scores [max_detections * max_classes_per_detection], num_detections [1]; entries
 * past the detections are zero. */
void edgec_detection_postprocess_f32(const float *EDGEC_RESTRICT box_encodings, const float *EDGEC_RESTRICT scores,
                                     const float *EDGEC_RESTRICT anchors, float *EDGEC_RESTRICT boxes,
                                     float *EDGEC_RESTRICT classes, float *EDGEC_RESTRICT out_scores,
                                     float *EDGEC_RESTRICT num_detections, int32_t *EDGEC_RESTRICT scratch,
                                     const edgec_detection_postprocess_params *p);

#endif
