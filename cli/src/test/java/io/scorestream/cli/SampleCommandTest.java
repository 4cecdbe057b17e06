package io.scorestream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: files written, one-line errors, non-zero exits. */
class SampleCommandTest {
  @TempDir
  Path dir;

  private record Run(int code, String err, String out) {}

  private static Run run(String... args) {
    PrintStream savedErr = System.err;
    PrintStream savedOut = System.out;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Run(code, err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(savedErr);
      System.setOut(savedOut);
    }
  }

  private Path gmm(String sde) {
    Path model = dir.resolve("gmm-" + sde + ".onnx");
    Run r = run("model", "gmm", "--sde", sde, "--out", model.toString());
    assertEquals(0, r.code(), r.err());
    return model;
  }

  @Test
  void sampleWritesNpyWithShapeAndFloat32Data() throws IOException {
    Path out = dir.resolve("s.npy");
    Run r = run("sample", "--model", gmm("vp").toString(), "--steps", "50", "--samples", "12", "--seed", "3",
        "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("NFE 100"), r.err());
    byte[] bytes = Files.readAllBytes(out);
    assertEquals((byte) 0x93, bytes[0]);
    int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (12, 2)"), header);
    assertEquals(0, (10 + headerLength) % 64, "data starts 64-byte aligned");
    assertEquals(10 + headerLength + 12 * 2 * 4, bytes.length);
  }

  @Test
  void sameSeedWritesSameFile() throws IOException {
    Path model = gmm("ve");
    Path a = dir.resolve("a.npy");
    Path b = dir.resolve("b.npy");
    for (Path out : new Path[] {a, b}) {
      assertEquals(0, run("sample", "--model", model.toString(), "--sampler", "ode", "--rtol", "1e-3", "--atol",
          "1e-3", "--samples", "5", "--seed", "9", "--out", out.toString()).code());
    }
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void badArgumentsEndWithOneLineNamingTheProblem() {
    Path model = gmm("ve");
    Run r = run("sample", "--model", model.toString(), "--steps", "-4");
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("steps must be positive, got -4"), r.err());

    r = run("sample", "--model", model.toString(), "--predictor", "leapfrog");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--predictor does not know 'leapfrog'"), r.err());

    r = run("sample", "--model", model.toString(), "--out", dir.resolve("x.png").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("PNG needs an image model"), r.err());

    r = run("sample", "--model", model.toString(), "--sampler", "ald", "--out", dir.resolve("x.csv").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--out must name a .npy or .png file"), r.err());
  }

  @Test
  void aldOnAVpModelIsRefusedWithTheReason() {
    Run r = run("sample", "--model", gmm("vp").toString(), "--sampler", "ald");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("the ALD sampler needs a VE (NCSN) model"), r.err());
  }

  @Test
  void brokenOrMissingModelFileEndsWithOneLineError() throws IOException {
    Path junk = dir.resolve("junk.onnx");
    Files.write(junk, new byte[] {9, 9, 9});
    Run r = run("sample", "--model", junk.toString());
    assertEquals(1, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("scorestream: ONNX Runtime cannot load model junk"), r.err());

    r = run("sample", "--model", dir.resolve("absent.onnx").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("scorestream: cannot read model file"), r.err());
    assertTrue(r.err().strip().endsWith("absent.onnx: no such file"), "says why, not the path twice: " + r.err());
  }

  @Test
  void everyCommandAnswersHelpEvenWithRequiredOptionsMissing() {
    String[][] commands = {{}, {"dev"}, {"worker"}, {"submit"}, {"watch"}, {"cancel"}, {"sample"}, {"model"},
        {"model", "gmm"}, {"model", "mlp"}, {"bench"}, {"bench", "fleet"}, {"bench", "sampler-overhead"}};
    for (String[] command : commands) {
      String[] args = java.util.Arrays.copyOf(command, command.length + 1);
      args[command.length] = "--help";
      Run r = run(args);
      assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
    }
  }

  @Test
  void limitsAreCheckedBeforeAnyWork() {
    Path model = gmm("ve");
    Run r = run("sample", "--model", model.toString(), "--threads", "-2");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--threads must be zero"), r.err());
    // two billion 2-D samples would overflow an int; 900 million (57 GB of state) would not fit: both are refused
    // with the reason before sampling starts, not as an overflow or an OutOfMemoryError
    r = run("sample", "--model", model.toString(), "--samples", "2000000000");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("more than one sampler state can hold"), r.err());
    r = run("sample", "--model", model.toString(), "--samples", "900000000");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("need about") && r.err().contains("GiB of memory"), r.err());
    r = run("sample", "--model", model.toString(), "--out", dir.resolve("no-such-dir/x.npy").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("does not exist"), r.err());
    r = run("sample", "--model", model.toString(), "--samples", "3e8");
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void badMixtureSpecificationIsNamed() {
    Run r = run("model", "gmm", "--components", "0.5:0,0:1;0.4:1,1", "--out", dir.resolve("m.onnx").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--components entry '0.4:1,1' is not weight:mean:std"), r.err());
  }

  @Test
  void imageModelSamplesAreWrittenAsAPngGrid() throws IOException {
    // an image-shaped VE model whose score pulls every pixel to 0.5: score = (0.5 - x) / (sigma(t)^2 + 0.01)
    io.scorestream.core.onnx.OnnxGraphBuilder g = new io.scorestream.core.onnx.OnnxGraphBuilder("gray");
    var f = ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT;
    String x = g.input("x", f, "N", 1, 3, 5);
    String t = g.input("t", f, "N");
    String sigma = g.op("Mul", g.scalar(0.01), g.op("Exp", g.op("Mul", t, g.scalar(Math.log(5000)))));
    String variance = g.op("Add", g.op("Mul", sigma, sigma), g.scalar(0.01));
    String v = g.op("Unsqueeze", variance, g.longs(1, 2, 3));
    g.output(g.op("Div", g.op("Sub", g.scalar(0.5), x), v), "score", f, "N", 1, 3, 5);
    java.util.Map<String, String> meta = new java.util.HashMap<>();
    meta.put("scorestream.sde", "ve");
    meta.put("scorestream.sde.sigma_min", "0.01");
    meta.put("scorestream.sde.sigma_max", "50");
    meta.put("scorestream.data.shape", "1,3,5");
    Path model = dir.resolve("gray.onnx");
    Files.write(model, g.build(meta));
    Path png = dir.resolve("grid.png");
    Run r = run("sample", "--model", model.toString(), "--steps", "200", "--samples", "6", "--out", png.toString());
    assertEquals(0, r.code(), r.err());
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    // 6 samples in a 3 x 2 grid of 5 x 3 images with 2-pixel gaps
    assertEquals(3 * 7 + 2, image.getWidth());
    assertEquals(2 * 5 + 2, image.getHeight());
    // pixels are N(0.5, 0.1^2): the mean of all 90 sits within 15 levels (5.5 standard errors) of 127.5
    double sum = 0;
    for (int s = 0; s < 6; s++) {
      for (int y = 0; y < 3; y++) {
        for (int x0 = 0; x0 < 5; x0++) {
          sum += image.getRGB(2 + (s % 3) * 7 + x0, 2 + (s / 3) * 5 + y) & 0xff;
        }
      }
    }
    double mean = sum / 90;
    assertTrue(Math.abs(mean - 127.5) < 15, "mean pixel near mid-gray, got " + mean);
  }

  /** The mean log-likelihood a run printed: "MEAN +- SE UNIT (...)". */
  private static double[] meanAndError(Run r) {
    String[] words = r.out().trim().split("\\s+");
    return new double[] {Double.parseDouble(words[0]), Double.parseDouble(words[2])};
  }

  @Test
  void likelihoodWritesOneValuePerExampleAndItsEstimatorsAgree() throws IOException {
    Path model = gmm("vp");
    Path data = dir.resolve("x.npy");
    assertEquals(0, run("sample", "--model", model.toString(), "--samples", "40", "--out", data.toString()).code());
    Path values = dir.resolve("ll.npy");
    Run exact = run("likelihood", "--model", model.toString(), "--data", data.toString(), "--exact", "--out",
        values.toString());
    assertEquals(0, exact.code(), exact.err());
    assertTrue(exact.out().contains("nats (mean over 40 examples"), exact.out());
    io.scorestream.jobs.formats.Npy.Array written = io.scorestream.jobs.formats.Npy.read(values);
    assertArrayEquals(new int[] {40}, written.shape());
    Run hutchinson = run("likelihood", "--model", model.toString(), "--data", data.toString(), "--probes", "8");
    assertEquals(0, hutchinson.code(), hutchinson.err());
    double[] a = meanAndError(exact);
    double[] b = meanAndError(hutchinson);
    // same points: the difference is the Hutchinson estimator's own error, within 4 of its standard errors
    assertTrue(Math.abs(a[0] - b[0]) < 4 * b[1], exact.out() + hutchinson.out());
  }

  @Test
  void likelihoodRefusesBadInputBeforeAnyWork() throws IOException {
    Path model = gmm("ve");
    Path data = dir.resolve("x.npy");
    io.scorestream.jobs.formats.Npy.write(data, new float[12], 4, new int[] {3});
    Run shape = run("likelihood", "--model", model.toString(), "--data", data.toString());
    assertEquals(2, shape.code());
    assertTrue(shape.err().contains("has shape [4, 3]") && shape.err().contains("takes [N, 2]"), shape.err());
    io.scorestream.jobs.formats.Npy.write(data, new float[8], 4, new int[] {2});
    Run probes = run("likelihood", "--model", model.toString(), "--data", data.toString(), "--probes", "0");
    assertEquals(2, probes.code());
    assertTrue(probes.err().contains("--probes"), probes.err());
    Run label = run("likelihood", "--model", model.toString(), "--data", data.toString(), "--label", "1");
    assertEquals(2, label.code());
    assertTrue(label.err().contains("not class-conditional"), label.err());
    Run missing = run("likelihood", "--model", model.toString(), "--data", dir.resolve("none.npy").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("none.npy"), missing.err());
  }

  @Test
  void encodedCodesDecodeBackToTheirDataAndInterpolateBetweenThem() throws IOException {
    Path model = gmm("subvp");
    Path data = dir.resolve("x.npy");
    assertEquals(0, run("sample", "--model", model.toString(), "--samples", "10", "--out", data.toString()).code());
    Path codes = dir.resolve("z.npy");
    Run encode = run("encode", "--model", model.toString(), "--data", data.toString(), "--out", codes.toString());
    assertEquals(0, encode.code(), encode.err());
    Path back = dir.resolve("back.npy");
    Run decode = run("sample", "--model", model.toString(), "--sampler", "ode", "--no-denoise", "--latent",
        codes.toString(), "--out", back.toString());
    assertEquals(0, decode.code(), decode.err());
    float[] x = io.scorestream.jobs.formats.Npy.read(data).values();
    float[] y = io.scorestream.jobs.formats.Npy.read(back).values();
    assertEquals(x.length, y.length);
    for (int i = 0; i < x.length; i++) {
      assertEquals(x[i], y[i], 2e-3, "value " + i + " after encode and decode");
    }
    Path path = dir.resolve("path.npy");
    Run walk = run("interpolate", "--codes", codes.toString(), "--from", "2", "--to", "7", "--count", "6", "--out",
        path.toString());
    assertEquals(0, walk.code(), walk.err());
    Path walked = dir.resolve("walk.npy");
    assertEquals(0, run("sample", "--model", model.toString(), "--sampler", "ode", "--no-denoise", "--latent",
        path.toString(), "--out", walked.toString()).code());
    float[] w = io.scorestream.jobs.formats.Npy.read(walked).values();
    assertEquals(12, w.length, "six points of two dimensions");
    for (int j = 0; j < 2; j++) {
      assertEquals(x[4 + j], w[j], 2e-3, "the walk starts at example 2");
      assertEquals(x[14 + j], w[10 + j], 2e-3, "and ends at example 7");
    }
    Run outside = run("interpolate", "--codes", codes.toString(), "--from", "0", "--to", "10", "--out",
        path.toString());
    assertEquals(2, outside.code());
    assertTrue(outside.err().contains("0..9"), outside.err());
    Run pc = run("sample", "--model", model.toString(), "--latent", codes.toString(), "--out", back.toString());
    assertEquals(2, pc.code());
    assertTrue(pc.err().contains("--latent") && pc.err().contains("ODE"), pc.err());
  }
}
