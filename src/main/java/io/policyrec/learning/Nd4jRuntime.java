package io.policyrec.learning;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Brings ND4J up once with the settings this service needs: one JavaCPP cache folder (else its
 * native libraries are unpacked again per jar name) and a small, fixed number of OpenMP and BLAS
 * threads, so that learning never competes with request threads for both cores.
 */
public final class Nd4jRuntime {
    private static volatile boolean started;

    private Nd4jRuntime() {
    }

    public static synchronized void start(int threads) {
        if (started) {
            return;
        }
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            System.setProperty("org.bytedeco.javacpp.cachedir",
                    System.getProperty("user.home") + "/.javacpp/cache");
        }
        Nd4j.getBackend();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setDebug(false);
        Nd4j.getEnvironment().setVerbose(false);
        started = true;
    }

    /** Starts with the thread count from OMP_NUM_THREADS, or 1. */
    public static void ensureStarted() {
        if (!started) {
            String env = System.getenv("OMP_NUM_THREADS");
            int threads = 1;
            try {
                threads = env == null ? 1 : Math.max(1, Integer.parseInt(env.trim()));
            } catch (NumberFormatException ignored) {
                // keep 1
            }
            start(threads);
        }
    }
}
