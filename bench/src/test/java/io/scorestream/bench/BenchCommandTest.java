package io.scorestream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.cli.CommandLines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmarks' own command line answers as bin/scorestream bench did inside the cli. */
class BenchCommandTest {
  @Test
  void everyBenchmarkAnswersHelpAndABareBenchNamesThem() {
    for (String bench :
        new String[] {
          "sampler-overhead", "fleet", "gateway", "train", "samplers", "gpu", "colorize"
        }) {
      assertEquals(0, CommandLines.execute(new BenchCommand(), bench, "--help"), bench);
    }
    PrintStream err = System.err;
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, CommandLines.execute(new BenchCommand()));
    } finally {
      System.setErr(err);
    }
    String refusal = said.toString(StandardCharsets.UTF_8);
    assertTrue(
        refusal.contains("sampler-overhead, fleet, gateway, train, samplers, gpu or colorize"),
        refusal);
  }

  @Test
  void theSamplerOverheadBenchmarkMeasuresBothLoops() {
    assertEquals(
        0,
        CommandLines.execute(
            new BenchCommand(),
            "sampler-overhead",
            "--batches",
            "4",
            "--seconds",
            "0.05",
            "--repeats",
            "1",
            "--threads",
            "1"));
  }
}
