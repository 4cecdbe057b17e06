package io.scorestream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a user meets it: files written, one-line errors, non-zero exits. */
@Tag("slow")
class SampleCommandTest {
  @TempDir Path dir;

  private static InProcess.Run run(String... args) {
    return InProcess.run(args);
  }

  private Path gmm(String sde) {
    Path model = dir.resolve("gmm-" + sde + ".onnx");
    InProcess.Run r = run("model", "gmm", "--sde", sde, "--out", model.toString());
    assertEquals(0, r.code(), r.err());
    return model;
  }

  @Test
  void sampleWritesNpyWithShapeAndFloat32Data() throws IOException {
    Path out = dir.resolve("s.npy");
    InProcess.Run r =
        run(
            "sample",
            "--model",
            gmm("vp").toString(),
            "--steps",
            "50",
            "--samples",
            "12",
            "--seed",
            "3",
            "--out",
            out.toString());
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
      assertEquals(
          0,
          run(
                  "sample",
                  "--model",
                  model.toString(),
                  "--sampler",
                  "ode",
                  "--rtol",
                  "1e-3",
                  "--atol",
                  "1e-3",
                  "--samples",
                  "5",
                  "--seed",
                  "9",
                  "--out",
                  out.toString())
              .code());
    }
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void badArgumentsEndWithOneLineNamingTheProblem() {
    Path model = gmm("ve");
    InProcess.Run r = run("sample", "--model", model.toString(), "--steps", "-4");
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("steps must be positive, got -4"), r.err());

    r = run("sample", "--model", model.toString(), "--predictor", "leapfrog");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--predictor does not know 'leapfrog'"), r.err());

    r = run("sample", "--model", model.toString(), "--out", dir.resolve("x.png").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("PNG needs an image model"), r.err());

    r =
        run(
            "sample",
            "--model",
            model.toString(),
            "--sampler",
            "ald",
            "--out",
            dir.resolve("x.csv").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--out must name a .npy or .png file"), r.err());
  }

  @Test
  void aldOnAVpModelIsRefusedWithTheReason() {
    InProcess.Run r = run("sample", "--model", gmm("vp").toString(), "--sampler", "ald");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("the ALD sampler needs a VE (NCSN) model"), r.err());
  }

  @Test
  void brokenOrMissingModelFileEndsWithOneLineError() throws IOException {
    Path junk = dir.resolve("junk.onnx");
    Files.write(junk, new byte[] {9, 9, 9});
    InProcess.Run r = run("sample", "--model", junk.toString());
    assertEquals(1, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("scorestream: ONNX Runtime cannot load model junk"), r.err());

    r = run("sample", "--model", dir.resolve("absent.onnx").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("scorestream: cannot read model file"), r.err());
    assertTrue(
        r.err().strip().endsWith("absent.onnx: no such file"),
        "says why, not the path twice: " + r.err());
  }

  @Test
  void everyCommandAnswersHelpEvenWithRequiredOptionsMissing() {
    String[][] commands = {
      {},
      {"dev"},
      {"worker"},
      {"submit"},
      {"watch"},
      {"cancel"},
      {"sample"},
      {"model"},
      {"model", "gmm"},
      {"model", "mlp"}
    };
    for (String[] command : commands) {
      String[] args = Arrays.copyOf(command, command.length + 1);
      args[command.length] = "--help";
      InProcess.Run r = run(args);
      assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
    }
  }

  @Test
  void everyCommandsHelpDescribesEachOptionOnce() {
    List<CommandLine> pending = new ArrayList<>(List.of(new CommandLine(new Main())));
    while (!pending.isEmpty()) {
      CommandLine command = pending.remove(pending.size() - 1);
      pending.addAll(command.getSubcommands().values());
      List<String> lines = command.getUsageMessage().lines().toList();
      for (CommandLine.Model.OptionSpec option : command.getCommandSpec().options()) {
        String name = option.longestName();
        long described =
            lines.stream()
                .filter(l -> l.matches("  (-\\w, |    )" + Pattern.quote(name) + "([=,\\s].*)?"))
                .count();
        assertEquals(
            option.hidden() ? 0 : 1,
            described,
            command.getCommandSpec().qualifiedName() + " --help describes " + name);
      }
    }
  }

  @Test
  void limitsAreCheckedBeforeAnyWork() {
    Path model = gmm("ve");
    InProcess.Run r = run("sample", "--model", model.toString(), "--threads", "-2");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--threads must be zero"), r.err());
    // two billion 2-D samples would overflow an int; 900 million (57 GB of state) would not fit:
    // both are refused with the reason before sampling starts, not as an overflow or an
    // OutOfMemoryError
    r = run("sample", "--model", model.toString(), "--samples", "2000000000");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("more than one sampler state can hold"), r.err());
    r = run("sample", "--model", model.toString(), "--samples", "900000000");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("need about") && r.err().contains("GiB of memory"), r.err());
    r =
        run(
            "sample",
            "--model",
            model.toString(),
            "--out",
            dir.resolve("no-such-dir/x.npy").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("does not exist"), r.err());
    r = run("sample", "--model", model.toString(), "--samples", "3e8");
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void badMixtureSpecificationIsNamed() {
    InProcess.Run r =
        run(
            "model",
            "gmm",
            "--components",
            "0.5:0,0:1;0.4:1,1",
            "--out",
            dir.resolve("m.onnx").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--components entry '0.4:1,1' is not weight:mean:std"), r.err());
  }

  @Test
  void imageModelSamplesAreWrittenAsAPngGrid() throws IOException {
    // an image-shaped VE model whose score pulls every pixel to 0.5: score = (0.5 - x) /
    // (sigma(t)^2 + 0.01)
    io.scorestream.core.onnx.OnnxGraphBuilder g =
        new io.scorestream.core.onnx.OnnxGraphBuilder("gray");
    var f = ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT;
    String x = g.input("x", f, "N", 1, 3, 5);
    String t = g.input("t", f, "N");
    String sigma =
        g.op("Mul", g.scalar(0.01), g.op("Exp", g.op("Mul", t, g.scalar(Math.log(5000)))));
    String variance = g.op("Add", g.op("Mul", sigma, sigma), g.scalar(0.01));
    String v = g.op("Unsqueeze", variance, g.longs(1, 2, 3));
    g.output(g.op("Div", g.op("Sub", g.scalar(0.5), x), v), "score", f, "N", 1, 3, 5);
    Map<String, String> meta = new HashMap<>();
    meta.put("scorestream.sde", "ve");
    meta.put("scorestream.sde.sigma_min", "0.01");
    meta.put("scorestream.sde.sigma_max", "50");
    meta.put("scorestream.data.shape", "1,3,5");
    Path model = dir.resolve("gray.onnx");
    Files.write(model, g.build(meta));
    Path png = dir.resolve("grid.png");
    InProcess.Run r =
        run(
            "sample",
            "--model",
            model.toString(),
            "--steps",
            "200",
            "--samples",
            "6",
            "--out",
            png.toString());
    assertEquals(0, r.code(), r.err());
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    // 6 samples in a 3 x 2 grid of 5 x 3 images with 2-pixel gaps
    assertEquals(3 * 7 + 2, image.getWidth());
    assertEquals(2 * 5 + 2, image.getHeight());
    // pixels are N(0.5, 0.1^2): the mean of all 90 sits within 15 levels (5.5 standard errors) of
    // 127.5
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
  private static double[] meanAndError(InProcess.Run r) {
    String[] words = r.out().trim().split("\\s+");
    return new double[] {Double.parseDouble(words[0]), Double.parseDouble(words[2])};
  }

  @Test
  void likelihoodWritesOneValuePerExampleAndItsEstimatorsAgree() throws IOException {
    Path model = gmm("vp");
    Path data = dir.resolve("x.npy");
    assertEquals(
        0,
        run("sample", "--model", model.toString(), "--samples", "40", "--out", data.toString())
            .code());
    Path values = dir.resolve("ll.npy");
    InProcess.Run exact =
        run(
            "likelihood",
            "--model",
            model.toString(),
            "--data",
            data.toString(),
            "--exact",
            "--out",
            values.toString());
    assertEquals(0, exact.code(), exact.err());
    assertTrue(exact.out().contains("nats (mean over 40 examples"), exact.out());
    io.scorestream.jobs.formats.Npy.Array written = io.scorestream.jobs.formats.Npy.read(values);
    assertArrayEquals(new int[] {40}, written.shape());
    InProcess.Run hutchinson =
        run("likelihood", "--model", model.toString(), "--data", data.toString(), "--probes", "8");
    assertEquals(0, hutchinson.code(), hutchinson.err());
    double[] a = meanAndError(exact);
    double[] b = meanAndError(hutchinson);
    // same points: the difference is the Hutchinson estimator's own error, within 4 of its standard
    // errors
    assertTrue(Math.abs(a[0] - b[0]) < 4 * b[1], exact.out() + hutchinson.out());
  }

  @Test
  void likelihoodRefusesBadInputBeforeAnyWork() throws IOException {
    Path model = gmm("ve");
    Path data = dir.resolve("x.npy");
    io.scorestream.jobs.formats.Npy.write(data, new float[12], 4, new int[] {3});
    InProcess.Run shape = run("likelihood", "--model", model.toString(), "--data", data.toString());
    assertEquals(2, shape.code());
    assertTrue(
        shape.err().contains("has shape [4, 3]") && shape.err().contains("takes [N, 2]"),
        shape.err());
    io.scorestream.jobs.formats.Npy.write(data, new float[8], 4, new int[] {2});
    InProcess.Run probes =
        run("likelihood", "--model", model.toString(), "--data", data.toString(), "--probes", "0");
    assertEquals(2, probes.code());
    assertTrue(probes.err().contains("--probes"), probes.err());
    InProcess.Run label =
        run("likelihood", "--model", model.toString(), "--data", data.toString(), "--label", "1");
    assertEquals(2, label.code());
    assertTrue(label.err().contains("not class-conditional"), label.err());
    InProcess.Run missing =
        run(
            "likelihood",
            "--model",
            model.toString(),
            "--data",
            dir.resolve("none.npy").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("none.npy"), missing.err());
  }

  @Test
  void encodedCodesDecodeBackToTheirDataAndInterpolateBetweenThem() throws IOException {
    Path model = gmm("subvp");
    Path data = dir.resolve("x.npy");
    assertEquals(
        0,
        run("sample", "--model", model.toString(), "--samples", "10", "--out", data.toString())
            .code());
    Path codes = dir.resolve("z.npy");
    InProcess.Run encode =
        run(
            "encode",
            "--model",
            model.toString(),
            "--data",
            data.toString(),
            "--out",
            codes.toString());
    assertEquals(0, encode.code(), encode.err());
    Path back = dir.resolve("back.npy");
    InProcess.Run decode =
        run(
            "sample",
            "--model",
            model.toString(),
            "--sampler",
            "ode",
            "--no-denoise",
            "--latent",
            codes.toString(),
            "--out",
            back.toString());
    assertEquals(0, decode.code(), decode.err());
    float[] x = io.scorestream.jobs.formats.Npy.read(data).values();
    float[] y = io.scorestream.jobs.formats.Npy.read(back).values();
    assertEquals(x.length, y.length);
    for (int i = 0; i < x.length; i++) {
      assertEquals(x[i], y[i], 2e-3, "value " + i + " after encode and decode");
    }
    Path path = dir.resolve("path.npy");
    InProcess.Run walk =
        run(
            "interpolate",
            "--codes",
            codes.toString(),
            "--from",
            "2",
            "--to",
            "7",
            "--count",
            "6",
            "--out",
            path.toString());
    assertEquals(0, walk.code(), walk.err());
    Path walked = dir.resolve("walk.npy");
    assertEquals(
        0,
        run(
                "sample",
                "--model",
                model.toString(),
                "--sampler",
                "ode",
                "--no-denoise",
                "--latent",
                path.toString(),
                "--out",
                walked.toString())
            .code());
    float[] w = io.scorestream.jobs.formats.Npy.read(walked).values();
    assertEquals(12, w.length, "six points of two dimensions");
    for (int j = 0; j < 2; j++) {
      assertEquals(x[4 + j], w[j], 2e-3, "the walk starts at example 2");
      assertEquals(x[14 + j], w[10 + j], 2e-3, "and ends at example 7");
    }
    InProcess.Run outside =
        run(
            "interpolate",
            "--codes",
            codes.toString(),
            "--from",
            "0",
            "--to",
            "10",
            "--out",
            path.toString());
    assertEquals(2, outside.code());
    assertTrue(outside.err().contains("0..9"), outside.err());
    InProcess.Run pc =
        run(
            "sample",
            "--model",
            model.toString(),
            "--latent",
            codes.toString(),
            "--out",
            back.toString());
    assertEquals(2, pc.code());
    assertTrue(pc.err().contains("--latent") && pc.err().contains("ODE"), pc.err());
  }

  private Path npy(String name, float[] values, int rows, int... shape) throws IOException {
    Path file = dir.resolve(name);
    io.scorestream.jobs.formats.Npy.write(file, values, rows, shape);
    return file;
  }

  @Test
  void inpaintingKeepsTheKnownValuesAndFillsTheRest() throws IOException {
    Path model = gmm("vp");
    // three samples: x2 known (0.25, -1, 3) for the first two, x1 known (2) for the third
    Path known = npy("known.npy", new float[] {0, 0.25f, 0, -1, 2, 0}, 3, 2);
    Path mask = npy("mask.npy", new float[] {0, 1, 0, 1, 1, 0}, 3, 2);
    Path out = dir.resolve("filled.npy");
    InProcess.Run r =
        run(
            "sample",
            "--model",
            model.toString(),
            "--known",
            known.toString(),
            "--mask",
            mask.toString(),
            "--particles",
            "8",
            "--steps",
            "200",
            "--out",
            out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("wrote 3 samples"), r.err());
    float[] x = io.scorestream.jobs.formats.Npy.read(out).values();
    assertEquals(6, x.length);
    assertEquals(0.25f, x[1]);
    assertEquals(-1f, x[3]);
    assertEquals(2f, x[4]);
    // the unknown values come from the mixture's conditional: with x1 = 2 known, x2 is near the
    // component at (2, 0.5)
    assertTrue(Math.abs(x[5] - 0.5) < 2, "x2 given x1 = 2: " + x[5]);

    Path shared = npy("shared.npy", new float[] {0, 1}, 2);
    InProcess.Run sharedMask =
        run(
            "sample",
            "--model",
            model.toString(),
            "--known",
            known.toString(),
            "--mask",
            shared.toString(),
            "--steps",
            "20",
            "--out",
            out.toString());
    assertEquals(0, sharedMask.code(), sharedMask.err());
    assertTrue(
        sharedMask.err().contains("wrote 3 samples"),
        "the sample count comes from --known: " + sharedMask.err());
  }

  @Test
  void inpaintingRefusesBadMasksAndShapesNamingTheOption() throws IOException {
    Path model = gmm("ve");
    Path known = npy("k.npy", new float[] {0, 1}, 1, 2);
    Path out = dir.resolve("o.npy");
    InProcess.Run half =
        run(
            "sample",
            "--model",
            model.toString(),
            "--known",
            known.toString(),
            "--out",
            out.toString());
    assertEquals(2, half.code());
    assertTrue(
        half.err().contains("needs both --known") && half.err().contains("--mask"), half.err());
    Path fuzzy = npy("fuzzy.npy", new float[] {0.5f, 1}, 1, 2);
    InProcess.Run notBinary =
        run(
            "sample",
            "--model",
            model.toString(),
            "--known",
            known.toString(),
            "--mask",
            fuzzy.toString(),
            "--out",
            out.toString());
    assertEquals(2, notBinary.code());
    assertTrue(
        notBinary.err().contains("--mask") && notBinary.err().contains("0.5"), notBinary.err());
    Path wide = npy("wide.npy", new float[] {0, 1, 1}, 1, 3);
    InProcess.Run shape =
        run(
            "sample",
            "--model",
            model.toString(),
            "--known",
            known.toString(),
            "--mask",
            wide.toString(),
            "--out",
            out.toString());
    assertEquals(2, shape.code());
    assertTrue(shape.err().contains("--mask") && shape.err().contains("[1, 3]"), shape.err());
    Path three = npy("three.npy", new float[6], 3, 2);
    Path two = npy("two.npy", new float[4], 2, 2);
    InProcess.Run counts =
        run(
            "sample",
            "--model",
            model.toString(),
            "--known",
            three.toString(),
            "--mask",
            two.toString(),
            "--out",
            out.toString());
    assertEquals(2, counts.code());
    assertTrue(
        counts.err().contains("2 samples") || counts.err().contains("3 samples"), counts.err());
    InProcess.Run missing =
        run(
            "sample",
            "--model",
            model.toString(),
            "--known",
            dir.resolve("none.npy").toString(),
            "--mask",
            known.toString(),
            "--out",
            out.toString());
    assertEquals(2, missing.code());
    assertTrue(
        missing.err().contains("--known") && missing.err().contains("no such file"), missing.err());
    InProcess.Run ode =
        run(
            "sample",
            "--model",
            model.toString(),
            "--sampler",
            "ode",
            "--known",
            known.toString(),
            "--mask",
            known.toString(),
            "--out",
            out.toString());
    assertEquals(2, ode.code());
    assertTrue(ode.err().contains("PC and DPM-Solver samplers, not the ode sampler"), ode.err());
    InProcess.Run grey =
        run(
            "sample",
            "--model",
            model.toString(),
            "--gray",
            known.toString(),
            "--out",
            out.toString());
    assertEquals(2, grey.code());
    assertTrue(grey.err().contains("--gray") && grey.err().contains("[3, H, W]"), grey.err());
  }

  @Test
  void colorizationKeepsEachPixelsGreyLevel() throws IOException {
    // a colour model of 2 x 2 pixels: a mixture of a reddish and a bluish picture in [0, 1]
    float[] red = {0.8f, 0.8f, 0.8f, 0.8f, 0.3f, 0.3f, 0.3f, 0.3f, 0.1f, 0.1f, 0.1f, 0.1f};
    float[] blue = {0.1f, 0.1f, 0.1f, 0.1f, 0.3f, 0.3f, 0.3f, 0.3f, 0.8f, 0.8f, 0.8f, 0.8f};
    double[][] means = new double[2][12];
    for (int i = 0; i < 12; i++) {
      means[0][i] = red[i];
      means[1][i] = blue[i];
    }
    var mixture =
        new io.scorestream.core.analytic.GaussianMixture(
            new double[] {0.5, 0.5}, means, new double[] {0.05, 0.05});
    var sde = new io.scorestream.core.sde.VpSde(0.1, 20, 1);
    var info =
        new io.scorestream.core.model.ModelInfo(
            "colours",
            "1",
            sde,
            sde.defaultEps(),
            new int[] {3, 2, 2},
            io.scorestream.core.model.DataScaling.IDENTITY,
            0,
            io.scorestream.core.model.TimeInput.TIME,
            "",
            -1);
    Path model = dir.resolve("colours.onnx");
    Files.write(model, io.scorestream.core.onnx.GaussianMixtureOnnx.build(mixture, info));
    java.awt.image.BufferedImage picture =
        new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    int[] levels = {102, 102, 51, 153};
    for (int p = 0; p < 4; p++) {
      picture.getRaster().setSample(p % 2, p / 2, 0, levels[p]);
    }
    Path png = dir.resolve("grey.png");
    javax.imageio.ImageIO.write(picture, "png", png.toFile());
    Path out = dir.resolve("coloured.npy");
    InProcess.Run r =
        run(
            "sample",
            "--model",
            model.toString(),
            "--gray",
            png.toString(),
            "--samples",
            "4",
            "--steps",
            "200",
            "--out",
            out.toString());
    assertEquals(0, r.code(), r.err());
    float[] x = io.scorestream.jobs.formats.Npy.read(out).values();
    assertEquals(4 * 12, x.length);
    for (int s = 0; s < 4; s++) {
      for (int p = 0; p < 4; p++) {
        double grey = (x[s * 12 + p] + x[s * 12 + 4 + p] + x[s * 12 + 8 + p]) / 3;
        assertEquals(
            levels[p] / 255.0, grey, 1e-5, "sample " + s + " pixel " + p + " keeps its grey level");
      }
    }
    Path large = dir.resolve("large.png");
    javax.imageio.ImageIO.write(
        new java.awt.image.BufferedImage(3, 3, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
        "png",
        large.toFile());
    InProcess.Run wrongSize =
        run(
            "sample",
            "--model",
            model.toString(),
            "--gray",
            large.toString(),
            "--out",
            out.toString());
    assertEquals(2, wrongSize.code());
    assertTrue(
        wrongSize.err().contains("3 x 3") && wrongSize.err().contains("2 x 2"), wrongSize.err());
  }

  /** The first {@code count} MNIST test digits, [count, 1, 28, 28] in [0, 1], and their classes. */
  private static float[][] mnistTestDigits(int count) throws IOException {
    Path root = Path.of("..", "..", "shared", "data", "mnist");
    float[] images = new float[count * 784];
    float[] labels = new float[count];
    try (var in =
        new DataInputStream(
            new GZIPInputStream(Files.newInputStream(root.resolve("t10k-images-idx3-ubyte.gz"))))) {
      in.skipNBytes(16);
      for (int i = 0; i < images.length; i++) {
        images[i] = in.readUnsignedByte() / 255f;
      }
    }
    try (var in =
        new DataInputStream(
            new GZIPInputStream(Files.newInputStream(root.resolve("t10k-labels-idx1-ubyte.gz"))))) {
      in.skipNBytes(8);
      for (int i = 0; i < count; i++) {
        labels[i] = in.readUnsignedByte();
      }
    }
    return new float[][] {images, labels};
  }

  @Test
  void aClassConditionalModelSamplesWithoutALabelTakingEachClassInTurn() throws IOException {
    Path out = dir.resolve("each.npy");
    InProcess.Run r =
        run(
            "sample",
            "--model",
            Path.of("..", "models", "mnist-unet.onnx").toString(),
            "--samples",
            "3",
            "--steps",
            "20",
            "--out",
            out.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(3 * 784, io.scorestream.jobs.formats.Npy.read(out).values().length);
  }

  @Test
  void theShippedMnistModelCompletesDigitsKeepingTheirKnownHalfExactly() throws IOException {
    float[][] digits = mnistTestDigits(2);
    Path known = npy("digits.npy", digits[0], 2, 1, 28, 28);
    float[] top = new float[784];
    Arrays.fill(top, 0, 14 * 28, 1);
    Path mask = npy("top.npy", top, 1, 28, 28);
    Path out = dir.resolve("completed.npy");
    Path model = Path.of("..", "models", "mnist-unet.onnx");
    for (int i = 0; i < 2; i++) {
      InProcess.Run r =
          run(
              "sample",
              "--model",
              model.toString(),
              "--known",
              known.toString(),
              "--mask",
              mask.toString(),
              "--label",
              String.valueOf((int) digits[1][i]),
              "--steps",
              "60",
              "--out",
              out.toString());
      assertEquals(0, r.code(), r.err());
      float[] x = io.scorestream.jobs.formats.Npy.read(out).values();
      assertEquals(2 * 784, x.length);
      for (int p = 0; p < 14 * 28; p++) {
        assertEquals(
            digits[0][i * 784 + p],
            x[i * 784 + p],
            "digit " + i + " pixel " + p + " of the known half");
      }
      double ink = 0;
      for (int p = 14 * 28; p < 784; p++) {
        ink += x[i * 784 + p];
      }
      assertTrue(
          ink > 10, "the model draws the lower half of digit " + i + " (total ink " + ink + ")");
    }
  }

  @Test
  void aTrainedClassifierGuidesTheShippedMnistModelAndMismatchesAreRefused() throws IOException {
    Path classifier = dir.resolve("digits.onnx");
    Path model = Path.of("..", "models", "mnist-unet.onnx");
    InProcess.Run train =
        run(
            "train-classifier",
            "--for",
            model.toString(),
            "--mnist",
            Path.of("..", "..", "shared", "data", "mnist").toString(),
            "--steps",
            "150",
            "--hidden",
            "64",
            "--out",
            classifier.toString());
    assertEquals(0, train.code(), train.err());
    assertTrue(train.err().contains("held-out accuracy"), train.err());
    Path out = dir.resolve("guided.npy");
    InProcess.Run guided =
        run(
            "sample",
            "--model",
            model.toString(),
            "--classifier",
            classifier.toString(),
            "--label",
            "8",
            "--guidance-scale",
            "2",
            "--samples",
            "2",
            "--steps",
            "30",
            "--out",
            out.toString());
    assertEquals(0, guided.code(), guided.err());
    assertEquals(2 * 784, io.scorestream.jobs.formats.Npy.read(out).values().length);
    InProcess.Run noLabel =
        run(
            "sample",
            "--model",
            model.toString(),
            "--classifier",
            classifier.toString(),
            "--out",
            out.toString());
    assertEquals(2, noLabel.code());
    assertTrue(noLabel.err().contains("--label"), noLabel.err());
    InProcess.Run otherNoise =
        run(
            "sample",
            "--model",
            gmm("vp").toString(),
            "--classifier",
            classifier.toString(),
            "--label",
            "1",
            "--out",
            out.toString());
    assertEquals(2, otherNoise.code());
    assertTrue(
        otherNoise.err().contains("--classifier") && otherNoise.err().contains("[1, 28, 28]"),
        otherNoise.err());
    InProcess.Run asModel =
        run("sample", "--model", classifier.toString(), "--out", out.toString());
    assertEquals(1, asModel.code());
    assertTrue(asModel.err().contains("classifier"), asModel.err());
    InProcess.Run notAClassifier =
        run(
            "sample",
            "--model",
            model.toString(),
            "--classifier",
            model.toString(),
            "--label",
            "1",
            "--out",
            out.toString());
    assertEquals(2, notAClassifier.code());
    assertTrue(
        notAClassifier.err().contains("not a noise-conditional classifier"), notAClassifier.err());
    InProcess.Run scaleAlone =
        run(
            "sample",
            "--model",
            model.toString(),
            "--guidance-scale",
            "3",
            "--label",
            "1",
            "--out",
            out.toString());
    assertEquals(2, scaleAlone.code());
    assertTrue(scaleAlone.err().contains("--classifier"), scaleAlone.err());
  }
}
