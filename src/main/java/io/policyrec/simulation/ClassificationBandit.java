package io.policyrec.simulation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Classification as a bandit, as in the paper: the context is an image, the K actions are the
 * classes, and the reward is (K [a = label] - 1) / (K - 1): +1 when right, -1/(K-1) when wrong, so
 * that a uniform policy earns 0 on average.
 */
public final class ClassificationBandit implements BanditEnvironment {
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private final String name;
    private final IdxImages train;
    private final List<Sample> test;
    private final int classes;

    public ClassificationBandit(String name, IdxImages train, IdxImages test, int classes) {
        this.name = name;
        this.train = train;
        this.classes = classes;
        this.test = new ArrayList<>(test.labels().length);
        for (int i = 0; i < test.labels().length; i++) {
            this.test.add(sample(test.images()[i], test.labels()[i]));
        }
    }

    /** Reads a folder holding the four IDX files (train-images-idx3-ubyte[.gz] and so on). */
    public static ClassificationBandit fromFolder(String name, Path dir) throws IOException {
        return new ClassificationBandit(name,
                IdxImages.read(find(dir, "train-images-idx3-ubyte"), find(dir, "train-labels-idx1-ubyte")),
                IdxImages.read(find(dir, "t10k-images-idx3-ubyte"), find(dir, "t10k-labels-idx1-ubyte")), 10);
    }

    /** Reads the four gzipped IDX files from a classpath folder. */
    public static ClassificationBandit fromClasspath(String name, String folder) throws IOException {
        ClassLoader cl = ClassificationBandit.class.getClassLoader();
        try (InputStream ti = cl.getResourceAsStream(folder + "/train-images-idx3-ubyte.gz");
             InputStream tl = cl.getResourceAsStream(folder + "/train-labels-idx1-ubyte.gz");
             InputStream si = cl.getResourceAsStream(folder + "/t10k-images-idx3-ubyte.gz");
             InputStream sl = cl.getResourceAsStream(folder + "/t10k-labels-idx1-ubyte.gz")) {
            if (ti == null || tl == null || si == null || sl == null) {
                throw new IOException("IDX files missing under classpath folder " + folder);
            }
            return new ClassificationBandit(name, IdxImages.read(ti, true, tl, true), IdxImages.read(si, true, sl, true),
                    10);
        }
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String candidate : List.of(base + ".gz", base, base.replace("-idx", ".idx"))) {
            Path p = dir.resolve(candidate);
            if (java.nio.file.Files.exists(p)) {
                return p;
            }
        }
        throw new IOException("no " + base + "[.gz] in " + dir);
    }

    private Sample sample(float[] image, int label) {
        double[] rewards = new double[classes];
        for (int a = 0; a < classes; a++) {
            rewards[a] = a == label ? 1.0 : -1.0 / (classes - 1);
        }
        return new Sample(image, rewards, label);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int contextDimension() {
        return train.images()[0].length;
    }

    @Override
    public int actionCount() {
        return classes;
    }

    @Override
    public Sample draw(RandomGenerator random) {
        int i = random.nextInt(train.labels().length);
        return sample(train.images()[i], train.labels()[i]);
    }

    @Override
    public List<Sample> testSet() {
        return test;
    }

    @Override
    public int accuracyTopK() {
        return 1;
    }

    /** The non-zero pixels by name: {@code {"pixels": {"412": 0.7, ...}}}. */
    @Override
    public com.fasterxml.jackson.databind.JsonNode namedContext(float[] context) {
        com.fasterxml.jackson.databind.node.ObjectNode named =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        com.fasterxml.jackson.databind.node.ObjectNode pixels = named.putObject("pixels");
        for (int i = 0; i < context.length; i++) {
            if (context[i] != 0f) {
                pixels.put(Integer.toString(i), context[i]);
            }
        }
        return named;
    }
}
