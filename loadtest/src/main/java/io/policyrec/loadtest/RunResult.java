package io.policyrec.loadtest;

import io.policyrec.simulation.Evaluation;
import java.util.List;

/** The evaluations of one agent on one data set with one seed. */
record RunResult(String dataset, String agent, long seed, List<Evaluation> evaluations, double seconds) {
    Evaluation last() {
        return evaluations.get(evaluations.size() - 1);
    }
}
