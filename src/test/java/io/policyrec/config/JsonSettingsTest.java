package io.policyrec.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonSettingsTest {
    private final ObjectMapper mapper = configured();

    private static ObjectMapper configured() {
        ObjectMapper m = new ObjectMapper();
        new JsonSettings().customize(m);
        return m;
    }

    @Test
    void theFastParserIsOn() {
        assertTrue(mapper.isEnabled(StreamReadFeature.USE_FAST_DOUBLE_PARSER));
    }

    @Test
    void contextsReadExactlyAsTheJdkReadsThem() throws Exception {
        List<String> numbers = new ArrayList<>(List.of("0", "-0.0", "1", "0.003921569", "0.99607843",
                "1.4E-45", "7.0E-46", "1.17549435E-38", "3.4028235E38", "3.4028236E38", "1e39", "-1e-50",
                "0.1000000000000000055511151231257827", "123456789012345678901234567890", "2.5e-3"));
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            numbers.add(switch (i % 4) {
                case 0 -> Float.toString((float) r.nextDouble());
                case 1 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(-40, 40)));
                case 2 -> Float.toString(Float.intBitsToFloat(r.nextInt()) % 1e30f);
                default -> Float.toString(r.nextInt(256) / 255f);
            });
        }
        numbers.removeIf(s -> s.contains("NaN") || s.contains("Infinity"));
        float[] parsed = mapper.readValue("[" + String.join(",", numbers) + "]", float[].class);
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(Float.floatToIntBits(Float.parseFloat(numbers.get(i))), Float.floatToIntBits(parsed[i]),
                    numbers.get(i));
        }
    }
}
