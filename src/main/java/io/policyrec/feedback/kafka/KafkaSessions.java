package io.policyrec.feedback.kafka;

import io.policyrec.background.Worker;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Runs one Kafka session after another on a worker's thread until it stops: a session opens its
 * clients and polls while the worker runs; one that fails is logged and a new one starts after a
 * pause (the broker may be away); a wakeup (the worker stopping) just ends it.
 */
final class KafkaSessions {
    private static final Logger LOG = Logger.getLogger(KafkaSessions.class);
    private static final long RETRY_MILLIS = 1000;

    private KafkaSessions() {
    }

    /** @param meanwhile runs every 100 ms while waiting to retry (work that must not wait for Kafka) */
    static void repeat(Worker w, String what, Runnable session, Runnable afterFailure, Runnable meanwhile) {
        while (w.running()) {
            try {
                session.run();
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                if (w.running()) {
                    LOG.warnf(e, "%s restarting", what);
                    afterFailure.run();
                    for (long waited = 0; waited < RETRY_MILLIS && w.pause(100); waited += 100) {
                        meanwhile.run();
                    }
                }
            }
        }
    }
}
