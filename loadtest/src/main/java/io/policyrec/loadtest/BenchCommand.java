package io.policyrec.loadtest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the JMH benchmarks (io.policyrec.loadtest.bench); extra arguments go to JMH. */
final class BenchCommand {
    private BenchCommand() {
    }

    static int run(String[] args) throws Exception {
        List<String> jmh = new ArrayList<>();
        if (args.length == 0) {
            // Defaults sized for 2 shared cores: one fork, short iterations, OpenMP at one thread.
            jmh.addAll(List.of("-f", "1", "-wi", "3", "-w", "2s", "-i", "5", "-r", "3s",
                    "-jvmArgsAppend", "-Xmx2g", "io.policyrec.loadtest.bench"));
        } else {
            jmh.addAll(Arrays.asList(args));
        }
        org.openjdk.jmh.Main.main(jmh.toArray(String[]::new));
        return 0;
    }
}
