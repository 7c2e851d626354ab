/* Reference DETECTION_POSTPROCESS (fast NMS), after LiteRT's detection_postprocess.cc. */
#include <math.h>

#include "edgec_detection_postprocess_f32.h"

static float iou(const float *a, const float *b) {
    const float area_a = (a[2] - a[0]) * (a[3] - a[1]), area_b = (b[2] - b[0]) * (b[3] - b[1]);
    if (area_a <= 0.0f || area_b <= 0.0f) return 0.0f;
    const float ymin = a[0] > b[0] ? a[0] : b[0], xmin = a[1] > b[1] ? a[1] : b[1];
    const float ymax = a[2] < b[2] ? a[2] : b[2], xmax = a[3] < b[3] ? a[3] : b[3];
    const float h = ymax - ymin > 0.0f ? ymax - ymin : 0.0f, w = xmax - xmin > 0.0f ? xmax - xmin : 0.0f;
    const float inter = h * w;
    return inter / (area_a + area_b - inter);
}

/* The k best of n scores, best first; on equal scores the lower index first (a stable sort). */
static void best_classes(const float *s, int32_t n, int32_t k, int32_t *index) {
    for (int32_t j = 0; j < k; ++j) index[j] = -1;
    for (int32_t c = 0; c < n; ++c) {
        int32_t j = k;
        while (j > 0 && (index[j - 1] < 0 || s[c] > s[index[j - 1]])) --j;
        if (j == k) continue;
        for (int32_t m = k - 1; m > j; --m) index[m] = index[m - 1];
        index[j] = c;
    }
}

void edgec_detection_postprocess_f32(const float *EDGEC_RESTRICT box_encodings, const float *EDGEC_RESTRICT scores,
                                     const float *EDGEC_RESTRICT anchors, float *EDGEC_RESTRICT boxes,
                                     float *EDGEC_RESTRICT classes, float *EDGEC_RESTRICT out_scores,
                                     float *EDGEC_RESTRICT num_detections, int32_t *EDGEC_RESTRICT scratch,
                                     const edgec_detection_postprocess_params *p) {
    const int32_t n = p->num_anchors, k = p->classes_per_anchor;
    float *decoded = (float *)scratch;            /* [n][4] */
    float *best = decoded + 4 * n;                /* [n] */
    int32_t *class_index = scratch + 5 * n;       /* [n][k] */
    int32_t *kept = class_index + n * k;          /* [n]: kept anchors, sorted by score */
    const int32_t slots = p->max_detections * p->max_classes_per_detection;
    for (int32_t i = 0; i < slots; ++i) {
        boxes[4 * i] = boxes[4 * i + 1] = boxes[4 * i + 2] = boxes[4 * i + 3] = 0.0f;
        classes[i] = out_scores[i] = 0.0f;
    }
    for (int32_t i = 0; i < n; ++i) {
        const float *e = box_encodings + 4 * i, *a = anchors + 4 * i; /* (y, x, h, w) */
        const float yc = e[0] / p->y_scale * a[2] + a[0], xc = e[1] / p->x_scale * a[3] + a[1];
        const float half_h = 0.5f * expf(e[2] / p->h_scale) * a[2], half_w = 0.5f * expf(e[3] / p->w_scale) * a[3];
        decoded[4 * i] = yc - half_h;
        decoded[4 * i + 1] = xc - half_w;
        decoded[4 * i + 2] = yc + half_h;
        decoded[4 * i + 3] = xc + half_w;
        const float *s = scores + (size_t)i * (size_t)p->num_classes_with_background + p->label_offset;
        best_classes(s, p->num_classes, k, class_index + i * k);
        best[i] = s[class_index[i * k]];
    }
    int32_t count = 0; /* kept anchors, inserted in order of score (stable: equal scores by anchor index) */
    for (int32_t i = 0; i < n; ++i) {
        if (!(best[i] >= p->score_threshold)) continue;
        int32_t j = count++;
        while (j > 0 && best[kept[j - 1]] < best[i]) {
            kept[j] = kept[j - 1];
            --j;
        }
        kept[j] = i;
    }
    int32_t selected = 0;
    for (int32_t i = 0; i < count && selected < p->max_detections; ++i) {
        if (kept[i] < 0) continue; /* suppressed */
        const int32_t a = kept[i];
        for (int32_t c = 0; c < k; ++c) {
            const int32_t slot = p->max_classes_per_detection * selected + c;
            for (int32_t d = 0; d < 4; ++d) boxes[4 * slot + d] = decoded[4 * a + d];
            classes[slot] = (float)class_index[a * k + c];
            out_scores[slot] = scores[(size_t)a * (size_t)p->num_classes_with_background + p->label_offset +
                                      class_index[a * k + c]];
        }
        ++selected;
        for (int32_t j = i + 1; j < count; ++j)
            if (kept[j] >= 0 && iou(decoded + 4 * a, decoded + 4 * kept[j]) > p->iou_threshold) kept[j] = -1;
    }
    num_detections[0] = (float)selected;
}
