package io.policyrec.learning;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between Java arrays and whole (non-view) ND4J arrays through their native pointers:
 * one memcpy, where {@code DataBuffer.setData} walks an indexer element by element (measured here:
 * 4 us against 130 us for a 64 x 784 batch).
 */
final class NativeBuffers {
    private NativeBuffers() {
    }

    static void put(INDArray target, float[] values) {
        requireWhole(target, values.length);
        Pointer p = target.data().addressPointer();
        if (target.dataType() == DataType.FLOAT) {
            ((FloatPointer) p).put(values, 0, values.length);
        } else {
            double[] wide = new double[values.length];
            for (int i = 0; i < wide.length; i++) {
                wide[i] = values[i];
            }
            ((DoublePointer) p).put(wide, 0, wide.length);
        }
    }

    static void put(INDArray target, double[] values) {
        requireWhole(target, values.length);
        Pointer p = target.data().addressPointer();
        if (target.dataType() == DataType.DOUBLE) {
            ((DoublePointer) p).put(values, 0, values.length);
        } else {
            float[] narrow = new float[values.length];
            for (int i = 0; i < narrow.length; i++) {
                narrow[i] = (float) values[i];
            }
            ((FloatPointer) p).put(narrow, 0, narrow.length);
        }
    }

    /**
     * Writes one row per item straight into a whole (rows x width) array, through a direct buffer
     * view: no JNI call per row and no intermediate Java copy of the batch.
     */
    static <T> void putRows(INDArray target, java.util.List<T> items, java.util.function.Function<T, float[]> row) {
        int width = (int) target.columns();
        requireWhole(target, (long) items.size() * width);
        if (target.dataType() == DataType.FLOAT) {
            java.nio.FloatBuffer buffer = target.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
            for (T item : items) {
                buffer.put(row.apply(item), 0, width);
            }
        } else {
            java.nio.DoubleBuffer buffer = target.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asDoubleBuffer();
            for (T item : items) {
                float[] values = row.apply(item);
                for (int i = 0; i < width; i++) {
                    buffer.put(values[i]);
                }
            }
        }
    }

    /** Copies a whole FLOAT array into an existing Java array of the same length. */
    static void get(INDArray source, float[] into) {
        requireWhole(source, into.length);
        if (source.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("not a FLOAT array");
        }
        ((FloatPointer) source.data().addressPointer()).get(into, 0, into.length);
    }

    /** Reads a whole array into an existing double[] (scratch: a float[] at least as long, for FLOAT arrays). */
    static void read(INDArray source, double[] into, float[] scratch) {
        int n = into.length;
        requireWhole(source, n);
        Pointer p = source.data().addressPointer();
        if (source.dataType() == DataType.DOUBLE) {
            ((DoublePointer) p).get(into, 0, n);
        } else {
            ((FloatPointer) p).get(scratch, 0, n);
            for (int i = 0; i < n; i++) {
                into[i] = scratch[i];
            }
        }
    }

    /** Writes a whole array from a double[] without allocating (scratch as for read). */
    static void write(INDArray target, double[] from, float[] scratch) {
        int n = from.length;
        requireWhole(target, n);
        Pointer p = target.data().addressPointer();
        if (target.dataType() == DataType.DOUBLE) {
            ((DoublePointer) p).put(from, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                scratch[i] = (float) from[i];
            }
            ((FloatPointer) p).put(scratch, 0, n);
        }
    }

    static double[] doubles(INDArray source) {
        int n = (int) source.length();
        requireWhole(source, n);
        Pointer p = source.data().addressPointer();
        double[] out = new double[n];
        if (source.dataType() == DataType.DOUBLE) {
            ((DoublePointer) p).get(out, 0, n);
        } else {
            float[] f = new float[n];
            ((FloatPointer) p).get(f, 0, n);
            for (int i = 0; i < n; i++) {
                out[i] = f[i];
            }
        }
        return out;
    }

    static float[] floats(INDArray source) {
        int n = (int) source.length();
        requireWhole(source, n);
        Pointer p = source.data().addressPointer();
        float[] out = new float[n];
        if (source.dataType() == DataType.FLOAT) {
            ((FloatPointer) p).get(out, 0, n);
        } else {
            double[] d = new double[n];
            ((DoublePointer) p).get(d, 0, n);
            for (int i = 0; i < n; i++) {
                out[i] = (float) d[i];
            }
        }
        return out;
    }

    private static void requireWhole(INDArray array, long length) {
        if (array.isView() || array.length() != length || array.data().length() != length) {
            throw new IllegalArgumentException("bulk copies need a whole array of length " + length);
        }
    }
}
