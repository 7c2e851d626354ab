/* ONNX-ML TreeEnsembleClassifier, float32 features, int64 labels, float32 scores, as onnxruntime computes it.
 *
 * The trees are tables in flash: node i is nodes[i * EDGEC_TREE_NODE_FIELDS + field] (mode, feature, true and
 * false successors as node indices, whether a NaN feature takes the true branch, first leaf weight, number of
 * leaf weights) and thresholds[i]; leaf weight j adds weights[j] to class leaf_class[j]. Each row walks every
 * tree from its root (roots[t]) and sums the weights of the leaves it reaches, per class, in tree order.
 *
 * Labels and scores (onnxruntime's rules, which the ONNX specification leaves open for two classes):
 *  - EDGEC_TREE_MULTICLASS (three classes or more): base values added (a class without score takes its base
 *    value), the label of the highest scored class (first on ties; classes no leaf scored and without base
 *    values do not compete; label 0's when none is scored), then post_transform over all classes.
 *  - EDGEC_TREE_BINARY_ONE_SCORE (two classes, every weight for class 0: gradient boosting's form): s plus the
 *    base value; all weights >= 0: label 1 when s > 0.5, scores [1 - s, s]; else label 1 when s > 0, scores
 *    [logistic(-s), logistic(s)] with LOGISTIC, [-s, s] otherwise.
 *  - EDGEC_TREE_BINARY_TWO_SCORES (two classes, both scored, no base values, labels 0 and 1): label 1 when the
 *    second class's score (the first's when the row reached no weight of the second) is > 0; scores as in the
 *    multiclass case when the second class was reached, else as in the one-score case with mixed weights. */
#ifndef EDGEC_TREE_ENSEMBLE_F32_H
#define EDGEC_TREE_ENSEMBLE_F32_H

#include "edgec_common.h"

enum { EDGEC_TREE_LEQ = 0, EDGEC_TREE_LT = 1, EDGEC_TREE_GTE = 2, EDGEC_TREE_GT = 3, EDGEC_TREE_EQ = 4,
       EDGEC_TREE_NEQ = 5, EDGEC_TREE_LEAF = 6 };
enum { EDGEC_TREE_MODE = 0, EDGEC_TREE_FEATURE = 1, EDGEC_TREE_TRUE = 2, EDGEC_TREE_FALSE = 3,
       EDGEC_TREE_NAN_TRUE = 4, EDGEC_TREE_FIRST_WEIGHT = 5, EDGEC_TREE_WEIGHTS = 6, EDGEC_TREE_NODE_FIELDS = 7 };
enum { EDGEC_TREE_POST_NONE = 0, EDGEC_TREE_POST_SOFTMAX = 1, EDGEC_TREE_POST_LOGISTIC = 2,
       EDGEC_TREE_POST_SOFTMAX_ZERO = 3, EDGEC_TREE_POST_PROBIT = 4 };
enum { EDGEC_TREE_MULTICLASS = 0, EDGEC_TREE_BINARY_ONE_SCORE = 1, EDGEC_TREE_BINARY_TWO_SCORES = 2 };

typedef struct {
    int32_t rows, features, classes, trees;
    int32_t post_transform;       /* EDGEC_TREE_POST_* */
    int32_t finalize;             /* EDGEC_TREE_MULTICLASS, ... */
    int32_t weights_all_positive; /* every leaf weight >= 0 */
    int32_t has_base;             /* the model gives base values */
} edgec_tree_ensemble_params;

/* x [rows][features]; label [rows]; scores [rows][classes]; scored: scratch of `classes` bytes. base has
 * `classes` values (zeros where the model gives none). */
void edgec_tree_ensemble_classifier_f32(const float *x, const int32_t *nodes, const float *thresholds,
                                        const int32_t *leaf_class, const float *weights, const int32_t *roots,
                                        const float *base, const int64_t *labels, int64_t *label, float *scores,
                                        uint8_t *scored, const edgec_tree_ensemble_params *p);

#endif
