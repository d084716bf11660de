package io.policyrec.testing;

import static io.restassured.RestAssured.given;

/** Reads one sample from the Prometheus endpoint, as a test sees it. */
public final class Metrics {
    private Metrics() {
    }

    /** The value of the sample whose name and labels start the line, e.g. {@code x_total{reason="late"}}. */
    public static double value(String sample) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : body.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim().split(" ")[0]);
            }
        }
        return 0.0;
    }

    public static void awaitAtLeast(String sample, double expected, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        double v = value(sample);
        while (v < expected && System.currentTimeMillis() < deadline) {
            sleep(50);
            v = value(sample);
        }
        if (v < expected) {
            throw new AssertionError(sample + " is " + v + ", expected at least " + expected);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
