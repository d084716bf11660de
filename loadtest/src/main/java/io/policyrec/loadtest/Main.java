package io.policyrec.loadtest;

import java.util.Arrays;

/** The loadtest command line: experiments, load generators, benchmarks, the results page. */
public final class Main {
    private Main() {
    }

    static final String USAGE = """
            usage: java -jar loadtest/target/loadtest.jar <command> [--option value ...]

              experiment  the paper's experiment, in process or against a running service
              vw          Vowpal Wabbit's cb_explore_adf on the spotify-tracks problem, side by side
              http        open-loop load on /recommend against a baseline endpoint (HdrHistogram)
              feedback    feedback events through Kafka: applied per second, freshness
              bench       JMH benchmarks of the engine (decision, learning step)
              memory      heap of a policy and its pending decisions against traffic volume
              size        bytes of snapshots, logged decisions and heap for named-features policies (bits 16,18,20)
              chaos       faults on a schedule (kill, pause, broker and Redis restarts, flush) under load; fails on any loss
              profile     where the CPU went in a JFR recording of the service (by category)
              results     writes RESULTS.md from a run of generate-results.sh

            Run a command with --help for its options.""";

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int code = switch (args[0]) {
            case "experiment" -> ExperimentCommand.run(Args.parse(rest));
            case "vw" -> VwPeerCommand.run(Args.parse(rest));
            case "bench" -> BenchCommand.run(rest);
            case "http" -> HttpCommand.run(Args.parse(rest));
            case "feedback" -> FeedbackCommand.run(Args.parse(rest));
            case "memory" -> MemoryCommand.run(Args.parse(rest));
            case "size" -> SizeCommand.run(Args.parse(rest));
            case "profile" -> ProfileCommand.run(Args.parse(rest));
            case "chaos" -> ChaosCommand.run(Args.parse(rest));
            case "results" -> ResultsCommand.run(Args.parse(rest));
            default -> {
                System.err.println("unknown command '" + args[0] + "'\n" + USAGE);
                yield 2;
            }
        };
        System.exit(code);
    }
}
