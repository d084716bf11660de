package io.policyrec.learning;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Matrix products on ND4J arrays through the OpenBLAS that ND4J itself links, called directly.
 *
 * <p>Why not {@code Nd4j.gemm}: measured here for a 64x784 by 784x32 product, ND4J's gemm takes
 * 70-95 us where the same cblas_sgemm call on the same memory takes 50-55 us, and for the small
 * 64x32 by 32x32 products its fixed cost (15-20 us) is several times the arithmetic. A learning
 * step makes eight products, so this is a third of the step.
 */
final class Blas {
    private Blas() {
    }

    /** c = op(a) op(b), all row-major ('c' order, contiguous; views of contiguous slices are fine). */
    static void gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c) {
        long m = c.rows();
        long n = c.columns();
        long k = transA ? a.rows() : a.columns();
        check(a);
        check(b);
        check(c);
        if ((transA ? a.columns() : a.rows()) != m || (transB ? b.rows() : b.columns()) != n
                || (transB ? b.columns() : b.rows()) != k) {
            throw new IllegalArgumentException("shapes do not multiply");
        }
        int ta = transA ? openblas.CblasTrans : openblas.CblasNoTrans;
        int tb = transB ? openblas.CblasTrans : openblas.CblasNoTrans;
        if (c.dataType() == DataType.FLOAT) {
            openblas.cblas_sgemm(openblas.CblasRowMajor, ta, tb, (int) m, (int) n, (int) k, 1f, floats(a),
                    (int) a.columns(), floats(b), (int) b.columns(), 0f, floats(c), (int) n);
        } else {
            openblas.cblas_dgemm(openblas.CblasRowMajor, ta, tb, (int) m, (int) n, (int) k, 1.0, doubles(a),
                    (int) a.columns(), doubles(b), (int) b.columns(), 0.0, doubles(c), (int) n);
        }
    }

    private static void check(INDArray x) {
        if (x.ordering() != 'c' || x.rank() != 2 || (x.length() > 1 && x.elementWiseStride() != 1)) {
            throw new IllegalArgumentException("gemm needs contiguous row-major matrices");
        }
    }

    /** A view's data buffer already starts at the view's first element. */
    private static FloatPointer floats(INDArray x) {
        return new FloatPointer(x.data().addressPointer());
    }

    private static DoublePointer doubles(INDArray x) {
        return new DoublePointer(x.data().addressPointer());
    }
}
