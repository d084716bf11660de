package io.policyrec.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.policyrec.policy.Context;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How JSON becomes hashed features: names per leaf type, merging, collisions, limits and errors. */
class NamedFeaturesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int BITS = 18;

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    static Context hash(String text) throws Exception {
        return NamedFeatures.hash(json(text), "features", BITS, NamedFeatures.DEFAULT_LIMITS);
    }

    /** The context the named features should hash to, built from their names by hand. */
    static Context expected(Map<String, Float> named) {
        TreeMap<Integer, Float> buckets = new TreeMap<>();
        named.forEach((name, value) -> buckets.merge(FeatureHash.bucket(name, BITS), value, Float::sum));
        int[] idx = buckets.keySet().stream().mapToInt(Integer::intValue).toArray();
        float[] val = new float[idx.length];
        int i = 0;
        for (float v : buckets.values()) {
            val[i++] = v;
        }
        return new Context(idx, val);
    }

    static void assertContext(Context want, Context got) {
        assertArrayEquals(want.indices(), got.indices());
        assertArrayEquals(want.values(), got.values());
    }

    @Test
    void murmur3MatchesTheReferenceVectors() {
        assertEquals(0, FeatureHash.murmur3(new byte[0], 0));
        assertEquals(0x248bfa47, FeatureHash.murmur3("hello".getBytes(StandardCharsets.UTF_8), 0));
        assertEquals(0x2e4ff723, FeatureHash.murmur3("The quick brown fox jumps over the lazy dog"
                .getBytes(StandardCharsets.UTF_8), 0));
        assertEquals(0x514e28b7, FeatureHash.murmur3(new byte[0], 1));
        assertEquals(0x248bfa47, FeatureHash.murmur3("hello"));
    }

    @Test
    void aStringHashesAsItsUtf8Bytes() {
        // Every tail length (0 to 3 bytes past the 4-byte blocks), ASCII and not.
        for (String s : new String[] {"", "a", "ab", "abc", "abcd", "item-12345-7", "category=c17", "café", "日本",
            "naïve-x", "\u007f\u0080"}) {
            assertEquals(FeatureHash.murmur3(s.getBytes(StandardCharsets.UTF_8), 0), FeatureHash.murmur3(s), s);
            assertEquals(FeatureHash.murmur3(s.getBytes(StandardCharsets.UTF_8), 0) & 0xffff, FeatureHash.bucket(s, 16), s);
        }
    }

    static String fieldOfElement(String text) {
        return assertThrows(InvalidFeaturesException.class, () -> NamedFeatures.hash(json(text), "candidates", 3,
                ".features", BITS, NamedFeatures.DEFAULT_LIMITS)).field();
    }

    @Test
    void anElementOfAListIsNamedWithItsIndex() throws Exception {
        assertEquals("candidates[3].features", fieldOfElement("'DE'"));
        assertEquals("candidates[3].features.price", fieldOfElement("{'price': 1e39}"));
        assertEquals("candidates[3].features[1].tags[0]", fieldOfElement("[{'a': 1}, {'tags': [true]}]"));
        assertContext(hash("{'a': 1, 'b': 'x'}"), NamedFeatures.hash(json("{'a': 1, 'b': 'x'}"), "candidates", 3,
                ".features", BITS, NamedFeatures.DEFAULT_LIMITS));
    }

    @Test
    void everyLeafTypeIsNamedByItsPath() throws Exception {
        Context got = hash("{'age': 34, 'country': 'DE', 'mobile': true, 'tablet': false, 'gone': null,"
                + " 'segments': ['sports', 'tech'], 'emb': [0.5, -1], 'user': {'tier': 'gold', 'visits': {'week': 3}}}");
        assertContext(expected(Map.of("age", 34f, "country=DE", 1f, "mobile", 1f, "segments=sports", 1f,
                "segments=tech", 1f, "emb[0]", 0.5f, "emb[1]", -1f, "user.tier=gold", 1f, "user.visits.week", 3f)), got);
    }

    @Test
    void anArrayOfObjectsIsMergedAsPersonalizerSendsContextFeatures() throws Exception {
        assertContext(hash("{'device': 'mobile', 'hour': 14}"), hash("[{'device': 'mobile'}, {'hour': 14}]"));
        assertContext(expected(Map.of("items.kind=shoe", 1f, "items.size", 42f)),
                hash("{'items': [{'kind': 'shoe'}, {'size': 42}]}"));
    }

    @Test
    void featuresInOneBucketAddUp() throws Exception {
        Context c = NamedFeatures.hash(json("{'a': 1, 'b': 2, 'c': 3, 'd': 4, 'e': 5, 'f': 6, 'g': 7, 'h': 8,"
                + " 'i': 9, 'j': 10}"), "features", 2, NamedFeatures.DEFAULT_LIMITS);
        float sum = 0;
        for (float v : c.values()) {
            sum += v;
        }
        assertEquals(55f, sum);
        for (int f = 1; f < c.size(); f++) {
            assertEquals(true, c.indices()[f] > c.indices()[f - 1], "buckets strictly increasing");
        }
    }

    static String fieldOf(String text, NamedFeatures.Limits limits) {
        return assertThrows(InvalidFeaturesException.class,
                () -> NamedFeatures.hash(json(text), "features", BITS, limits)).field();
    }

    static String fieldOf(String text) {
        return fieldOf(text, NamedFeatures.DEFAULT_LIMITS);
    }

    @Test
    void badInputNamesTheFieldAtFault() {
        assertEquals("features", fieldOf("'DE'"));
        assertEquals("features", fieldOf("42"));
        assertEquals("features[1]", fieldOf("[{'a': 1}, 3]"));
        assertEquals("features.x[0]", fieldOf("{'x': [[1]]}"));
        assertEquals("features.x[1]", fieldOf("{'x': ['a', true]}"));
        assertEquals("features.price", fieldOf("{'price': 1e39}"));
        assertEquals("features", fieldOf("{'': 1}"));
        // Each value fits a float, their sum in one bucket does not: Infinity would zero the bucket for good.
        assertEquals("features", fieldOf("[{'x': 3e38}, {'x': 3e38}]"));
        assertThrows(InvalidFeaturesException.class, () -> NamedFeatures.hash(null, "features", BITS,
                NamedFeatures.DEFAULT_LIMITS));
    }

    @Test
    void limitsOnCountDepthAndNameLength() {
        NamedFeatures.Limits small = new NamedFeatures.Limits(3, 2, 12);
        assertEquals("features", fieldOf("{'a': 1, 'b': 2, 'c': 3, 'd': 4}", small));
        assertEquals("features.a.b", fieldOf("{'a': {'b': {'c': 1}}}", small));
        assertEquals("features.name", fieldOf("{'name': 'a-very-long-value'}", small));
        assertEquals(3, NamedFeatures.hash(JSON.createObjectNode().put("a", 1).put("b", 2).put("c", 3), "features",
                BITS, small).size());
    }
}
