package io.policyrec.learning;

/**
 * A regularizer R(p; r) of one context's action distribution p against a reference distribution r
 * (the uniform distribution, or the mixture of earlier policies). The learner adds lambda * R
 * averaged over the batch to the loss (or subtracts it, to push away from earlier policies).
 * Formulas follow the paper's code (arXiv 2310.05324), including its 1e-8 guards.
 */
public interface Regularizer {
    double EPS = 1e-8;

    /** R(p; r). */
    double value(double[] p, double[] r);

    /** Writes dR/dp_a into grad (same length as p). */
    void gradient(double[] p, double[] r, double[] grad);
}
