package io.policyrec.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.RegularizerType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each regularizer's gradient against central finite differences of its value, in double precision. */
class RegularizerTest {

    static double[] randomDistribution(Random random, int k) {
        double[] p = new double[k];
        double s = 0;
        for (int a = 0; a < k; a++) {
            p[a] = Math.exp(2 * random.nextGaussian());
            s += p[a];
        }
        for (int a = 0; a < k; a++) {
            p[a] /= s;
        }
        return p;
    }

    static void checkGradient(Regularizer reg, double[] p, double[] r) {
        double[] grad = new double[p.length];
        reg.gradient(p, r, grad);
        double h = 1e-6;
        for (int a = 0; a < p.length; a++) {
            double[] plus = p.clone();
            double[] minus = p.clone();
            plus[a] += h;
            minus[a] -= h;
            double numeric = (reg.value(plus, r) - reg.value(minus, r)) / (2 * h);
            double error = Math.abs(numeric - grad[a]) / Math.max(1e-6, Math.abs(numeric) + Math.abs(grad[a]));
            assertTrue(error < 1e-3, reg.getClass().getSimpleName() + " action " + a + ": analytic " + grad[a]
                    + " numeric " + numeric);
        }
    }

    @Test
    void everyGradientMatchesFiniteDifferencesAgainstUniformAndAgainstAMixture() {
        Random random = new Random(7);
        for (RegularizerType type : RegularizerType.values()) {
            Regularizer reg = Regularizers.of(type);
            if (reg == null) {
                continue;
            }
            for (int trial = 0; trial < 20; trial++) {
                int k = 2 + random.nextInt(12);
                double[] p = randomDistribution(random, k);
                double[] uniform = new double[k];
                java.util.Arrays.fill(uniform, 1.0 / k);
                checkGradient(reg, p, uniform);
                checkGradient(reg, p, randomDistribution(random, k));
            }
        }
    }

    @Test
    void valuesMatchThePaperFormulas() {
        double[] p = {0.7, 0.2, 0.1};
        double[] u = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        double entropy = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1));
        assertEquals(-entropy, new EntropyRegularizer().value(p, u), 1e-6);
        assertEquals(Math.log(3) - entropy, new KlRegularizer().value(p, u), 1e-6);
        assertEquals(0.7 - 1 / 3.0, new TotalVariationRegularizer().value(p, u), 1e-12);
        double hellinger = 0;
        double js = 0;
        for (int a = 0; a < 3; a++) {
            hellinger += Math.pow(Math.sqrt(p[a]) - Math.sqrt(u[a]), 2);
            double m = (p[a] + u[a]) / 2;
            js += p[a] * Math.log(p[a] / m) + u[a] * Math.log(u[a] / m);
        }
        assertEquals(hellinger, new HellingerRegularizer().value(p, u), 1e-6);
        assertEquals(js, new JensenShannonRegularizer().value(p, u), 1e-6);
    }

    @Test
    void mmdClosedFormEqualsTheKernelForm() {
        Random random = new Random(3);
        double gamma = MmdRegularizer.GAMMA;
        for (int trial = 0; trial < 10; trial++) {
            int k = 2 + random.nextInt(10);
            double[] p = randomDistribution(random, k);
            double[] r = randomDistribution(random, k);
            double quadratic = 0;
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    double kernel = Math.exp(-2 / (gamma * gamma) * (a == b ? 0 : 1));
                    quadratic += (p[a] - r[a]) * kernel * (p[b] - r[b]);
                }
            }
            assertEquals(quadratic / 2, new MmdRegularizer().value(p, r), 1e-12);
        }
    }
}
