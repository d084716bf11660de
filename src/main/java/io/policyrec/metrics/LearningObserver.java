package io.policyrec.metrics;

import io.policyrec.policy.Decision;

/** What learners report for the gauges: decisions learned from, steps, lag. */
public interface LearningObserver {
    LearningObserver NONE = new LearningObserver() {
        @Override
        public void applied(Decision decision, double reward) {
        }

        @Override
        public void stepped(String policy, long incarnation) {
        }

        @Override
        public void lag(String policy, double seconds) {
        }
    };

    void applied(Decision decision, double reward);

    void stepped(String policy, long incarnation);

    void lag(String policy, double seconds);
}
