package io.policyrec.loadtest;

import io.policyrec.simulation.BanditEnvironment;
import io.policyrec.simulation.ClassificationBandit;
import io.policyrec.simulation.SpotifyBandit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Data sets by name, and the paper's lambdas for each. */
final class Datasets {
    private Datasets() {
    }

    static BanditEnvironment load(String name) throws Exception {
        return switch (name) {
            case "fashion-mnist" -> {
                if (!Files.isDirectory(ClassificationBandit.FASHION_MNIST)) {
                    throw new IllegalArgumentException("Fashion-MNIST is not installed: apt-get install "
                            + "dataset-fashion-mnist (or pass --data <folder with the IDX files>)");
                }
                yield ClassificationBandit.fromFolder("fashion-mnist", ClassificationBandit.FASHION_MNIST);
            }
            case "spotify" -> SpotifyBandit.load();
            default -> {
                Path dir = Path.of(name);
                if (!Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("unknown data set '" + name
                            + "': fashion-mnist, spotify, or a folder holding the four IDX files");
                }
                yield ClassificationBandit.fromFolder(dir.getFileName().toString(), dir);
            }
        };
    }

    /** The agents of the paper with its chosen lambdas (MNIST's for image data sets). */
    static List<String> paperAgents(String dataset) {
        Map<String, String> lambdas = dataset.equals("spotify")
                ? Map.of("entropy", "0.05", "kl", "0.05", "mmd", "1.0", "js", "0.15", "hellinger", "0.15", "tv", "0.15")
                : Map.of("entropy", "0.25", "kl", "0.25", "mmd", "2.0", "js", "0.5", "hellinger", "0.35", "tv", "0.9");
        return List.of("none", "entropy:" + lambdas.get("entropy"), "kl:" + lambdas.get("kl"),
                "js:" + lambdas.get("js"), "hellinger:" + lambdas.get("hellinger"), "tv:" + lambdas.get("tv"),
                "mmd:" + lambdas.get("mmd"));
    }
}
