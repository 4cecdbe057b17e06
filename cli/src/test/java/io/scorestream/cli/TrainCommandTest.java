package io.scorestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} as a user runs it: noise scales chosen from the data for VE and written into the
 * model, the objective named in the metadata, a labelled PNG directory with its test split held
 * out.
 */
class TrainCommandTest {
  private static final Path EMOJI = Path.of("..", "..", "shared", "data", "emoji");

  @TempDir Path dir;

  private Map<String, String> train(String... args) throws IOException {
    Path out = dir.resolve("m.onnx");
    List<String> line = new ArrayList<>(List.of("train"));
    line.addAll(List.of(args));
    line.addAll(List.of("--quality-samples", "0", "--seed", "3", "--out", out.toString()));
    InProcess.Run r = InProcess.run(line.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    Map<String, String> props = OnnxMetadata.read(Files.readAllBytes(out));
    props.put("stderr", r.err());
    return props;
  }

  @Test
  void aVeModelWithoutNoiseLevelsTakesThemFromTheDataSaysWhyAndCarriesThem() throws IOException {
    Map<String, String> m = train("--builtin", "8gaussians", "--sde", "ve", "--steps", "5");
    String said = m.get("stderr");
    assertTrue(said.contains("(NCSNv2 technique 1)"), said);
    assertTrue(said.contains("10 levels (NCSN's count): with D = 2"), said);
    double sigmaMax = Double.parseDouble(m.get(ModelMetadata.SIGMA_MAX));
    // 8gaussians: centres at radius 2 sqrt 2, std 0.35: the widest pair is a little over 5.7
    assertTrue(sigmaMax > 5.6 && sigmaMax < 8, "sigma_max " + sigmaMax);
    assertTrue(said.contains(String.format("sigma_max %.4g", sigmaMax)), said);
    assertEquals("10", m.get(ModelMetadata.ALD_LEVELS));
    assertEquals("5", m.get(ModelMetadata.ALD_STEPS));
    assertTrue(Double.parseDouble(m.get(ModelMetadata.ALD_STEP_LR)) > 0);
    assertTrue(m.get(ModelMetadata.NOISE_SCALES).contains("technique 4"));
    assertEquals("dsm", m.get(ModelMetadata.TRAIN_OBJECTIVE));
    InProcess.Run ald =
        InProcess.run(
            "sample",
            "--model",
            dir.resolve("m.onnx").toString(),
            "--sampler",
            "ald",
            "--samples",
            "4",
            "--out",
            dir.resolve("ald.npy").toString());
    assertEquals(0, ald.code(), ald.err());
    assertTrue(
        ald.err().contains("NFE 51 "),
        "annealed Langevin takes the model's 10 levels of 5 steps, and denoises: " + ald.err());

    Map<String, String> given =
        train("--builtin", "8gaussians", "--sde", "ve", "--sigma-max", "12", "--steps", "5");
    assertEquals("12", given.get(ModelMetadata.SIGMA_MAX));
    assertTrue(given.get("stderr").contains("sigma_max 12.00 as given"), given.get("stderr"));
    Map<String, String> vp = train("--builtin", "8gaussians", "--steps", "5");
    assertEquals(null, vp.get(ModelMetadata.ALD_LEVELS), "VP models have no ALD settings");
  }

  @Test
  void theStateIsWrittenWhileTrainingGoesOnAndTheNextSittingResumesFromIt() throws IOException {
    Path state = dir.resolve("run.state");
    String said =
        train(
                "--builtin",
                "8gaussians",
                "--steps",
                "300",
                "--state",
                state.toString(),
                "--state-every",
                "0")
            .get("stderr");
    for (int step : new int[] {100, 200, 300}) {
      assertTrue(said.contains("wrote the training state at step " + step + " to " + state), said);
    }
    String next =
        train("--builtin", "8gaussians", "--steps", "100", "--state", state.toString())
            .get("stderr");
    assertTrue(next.contains("resuming at step 300 from " + state), next);
    assertTrue(next.contains("trained to step 400 "), next);
    assertFalse(
        next.contains("wrote the training state at step"),
        "at the default of 5 minutes a short run writes its state only at the end: " + next);
    InProcess.Run refused =
        InProcess.run(
            "train",
            "--builtin",
            "8gaussians",
            "--steps",
            "1",
            "--state-every",
            "-1",
            "--out",
            dir.resolve("x.onnx").toString());
    assertEquals(2, refused.code());
    assertTrue(refused.err().contains("--state-every not negative"), refused.err());
  }

  @Test
  void slicedScoreMatchingIsNamedInTheModelAndBadNamesAreRefused() throws IOException {
    Map<String, String> m =
        train(
            "--builtin", "moons", "--objective", "ssm", "--projection", "gaussian", "--steps", "5");
    assertTrue(m.get("stderr").contains("by ssm (gaussian directions"), m.get("stderr"));
    assertTrue(m.get(ModelMetadata.TRAIN_OBJECTIVE).startsWith("ssm (gaussian"));
    InProcess.Run bad =
        InProcess.run(
            "train",
            "--builtin",
            "moons",
            "--objective",
            "ssm",
            "--projection",
            "sphere",
            "--steps",
            "5",
            "--out",
            dir.resolve("x.onnx").toString());
    assertEquals(2, bad.code());
    assertTrue(
        bad.err().contains("no projection 'sphere'; known: gaussian, rademacher"), bad.err());
  }

  @Test
  void theEmojiSetTrainsAClassConditionalColourModelHoldingOutItsTestSplit() throws IOException {
    Map<String, String> m =
        train(
            "--png-dir",
            EMOJI.resolve("images").toString(),
            "--labels",
            EMOJI.resolve("labels.csv").toString(),
            "--conditional",
            "--channels",
            "8",
            "--steps",
            "1");
    assertTrue(m.get("stderr").contains("on 3400 examples of shape [3, 32, 32]"), m.get("stderr"));
    assertEquals("9", m.get(ModelMetadata.NUM_CLASSES));
    assertEquals("emoji", m.get(ModelMetadata.DATASET));
    InProcess.Run loose =
        InProcess.run(
            "train",
            "--builtin",
            "moons",
            "--labels",
            EMOJI.resolve("labels.csv").toString(),
            "--steps",
            "1",
            "--out",
            dir.resolve("x.onnx").toString());
    assertEquals(2, loose.code());
    assertTrue(loose.err().contains("--labels goes with --png-dir"), loose.err());
    InProcess.Run publish =
        InProcess.run(
            "data",
            "publish",
            "--dataset",
            "emoji",
            "--builtin",
            "moons",
            "--split",
            "test",
            "--limit",
            "1");
    assertEquals(2, publish.code());
    assertTrue(publish.err().contains("--split goes with --mnist or --labels"), publish.err());
  }
}
