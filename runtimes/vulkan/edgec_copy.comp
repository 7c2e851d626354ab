/* A dense copy (a reshape the planner could not make a view). */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    arena[Y_OFF + i] = edgec_load(X_SPACE, X_OFF + i);
}
