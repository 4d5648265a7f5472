package kiln.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks (JMH command-line options pass through, e.g. a name regex or {@code -f 2})
 * and prints one table of every result with its error, so figures and the baselines they are
 * judged against are read off the same run.
 */
public final class Report {
    private Report() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Options options = new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.print(table(results));
    }

    static String table(Collection<RunResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"benchmark", "score", "error", "unit"});
        for (RunResult r : results) {
            var primary = r.getPrimaryResult();
            String name = Goals.key(r);
            rows.add(new String[] {name, String.format("%.1f", primary.getScore()),
                    Double.isNaN(primary.getScoreError()) ? "-" : String.format("± %.1f", primary.getScoreError()),
                    primary.getScoreUnit()});
        }
        int[] width = new int[4];
        for (String[] row : rows) {
            for (int c = 0; c < 4; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder("\nKiln benchmarks (2-core machines are noisy: compare figures within one run)\n");
        for (String[] row : rows) {
            out.append(String.format("%-" + width[0] + "s  %" + width[1] + "s  %-" + width[2] + "s  %s%n", (Object[]) row));
        }
        List<Goals.Line> goals = Goals.evaluate(results);
        if (!goals.isEmpty()) {
            out.append("\nGoals (ratios use the baseline measured in this run)\n");
            int g = 0;
            int f = 0;
            int t = 0;
            for (Goals.Line line : goals) {
                g = Math.max(g, line.goal().length());
                f = Math.max(f, line.figure().length());
                t = Math.max(t, line.target().length());
            }
            for (Goals.Line line : goals) {
                out.append(String.format("%-" + g + "s  %" + f + "s  %-" + t + "s  %s%n", line.goal(), line.figure(),
                        line.target(), line.verdict()));
            }
        }
        return out.toString();
    }
}
