package io.scorestream.trainer.train;

import io.scorestream.trainer.net.Architecture;
import io.scorestream.trainer.net.ScoreMlp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a trainer needs to resume where it stopped: the network (its architecture, constants and
 * weights), the optimiser (Adam's moments, the moving average, the step) and its place in the data.
 * On disk: a magic line, the fields in a fixed order (big-endian), then the SHA-256 of everything
 * before it. A file whose checksum does not match — truncated, or changed by a single bit — is
 * refused with that reason before any of it is used, so a state is loaded whole or not at all.
 * Files are written aside and moved into place.
 *
 * @param model the model's name
 * @param dataset the dataset it learns from
 * @param dataShape one example's shape
 * @param config the network's architecture
 * @param constants its fixed values (Fourier frequencies)
 * @param step steps taken
 * @param dataOffset the data topic's offset read up to
 * @param weights the parameters
 * @param moments Adam's moments: {@code m.NAME} and {@code v.NAME} for each parameter
 * @param averaged the moving average of the parameters
 */
public record TrainingState(
    String model,
    String dataset,
    int[] dataShape,
    Architecture config,
    Map<String, float[]> constants,
    long step,
    long dataOffset,
    Map<String, float[]> weights,
    Map<String, float[]> moments,
    Map<String, float[]> averaged) {
  private static final byte[] MAGIC =
      "scorestream training state 2\n".getBytes(StandardCharsets.US_ASCII);

  /**
   * The first format: an MLP's five sizes and its frequencies where format 2 has the architecture's
   * line.
   */
  private static final byte[] MAGIC_1 =
      "scorestream training state 1\n".getBytes(StandardCharsets.US_ASCII);

  private static final int DIGEST = 32;

  /** True when this state is of a network of {@code architecture} for examples of {@code shape}. */
  public boolean fits(Architecture architecture, int[] shape) {
    return config.equals(architecture) && Arrays.equals(dataShape, shape);
  }

  /** Writes the state to {@code file}, aside first and then moved into place. */
  public void write(Path file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeUTF(model);
      out.writeUTF(dataset);
      ints(out, dataShape);
      out.writeUTF(config.describe());
      out.writeLong(step);
      out.writeLong(dataOffset);
      for (Map<String, float[]> group : List.of(constants, weights, moments, averaged)) {
        out.writeInt(group.size());
        for (Map.Entry<String, float[]> e : group.entrySet()) {
          out.writeUTF(e.getKey());
          floats(out, e.getValue());
        }
      }
    }
    byte[] body = bytes.toByteArray();
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path partial = absolute.resolveSibling(".partial-" + absolute.getFileName());
    try (var out = Files.newOutputStream(partial)) {
      out.write(body);
      out.write(sha256(body, body.length));
    }
    Files.move(
        partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads a state; refuses, with the reason, a file that is not one or that its checksum says was
   * damaged.
   */
  public static TrainingState read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    boolean first =
        all.length >= MAGIC_1.length && Arrays.equals(Arrays.copyOf(all, MAGIC_1.length), MAGIC_1);
    if (!first
        && (all.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC))) {
      throw new IOException(file + " is not a ScoreStream training state");
    }
    if (all.length < MAGIC.length + DIGEST
        || !Arrays.equals(
            sha256(all, all.length - DIGEST),
            Arrays.copyOfRange(all, all.length - DIGEST, all.length))) {
      throw new IOException(
          file
              + " is damaged: its checksum does not match its contents (a truncated or altered"
              + " file); nothing of it was loaded");
    }
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(all, 0, all.length - DIGEST))) {
      in.skipNBytes(MAGIC.length);
      String model = in.readUTF();
      String dataset = in.readUTF();
      int[] shape = ints(in);
      Architecture config;
      Map<String, float[]> constants = null;
      if (first) {
        config =
            new ScoreMlp.Config(
                in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readDouble(), 0);
        constants = Map.of("frequencies", floats(in));
      } else {
        config = Architecture.parse(in.readUTF());
      }
      long step = in.readLong();
      long offset = in.readLong();
      if (constants == null) {
        constants = group(in);
      }
      Map<String, float[]> weights = group(in);
      Map<String, float[]> moments = group(in);
      Map<String, float[]> averaged = group(in);
      return new TrainingState(
          model, dataset, shape, config, constants, step, offset, weights, moments, averaged);
    }
  }

  private static Map<String, float[]> group(DataInputStream in) throws IOException {
    int n = in.readInt();
    Map<String, float[]> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      out.put(in.readUTF(), floats(in));
    }
    return out;
  }

  private static void ints(DataOutputStream out, int[] values) throws IOException {
    out.writeInt(values.length);
    for (int v : values) {
      out.writeInt(v);
    }
  }

  private static int[] ints(DataInputStream in) throws IOException {
    int[] values = new int[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readInt();
    }
    return values;
  }

  private static void floats(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    for (float v : values) {
      out.writeFloat(v);
    }
  }

  private static float[] floats(DataInputStream in) throws IOException {
    float[] values = new float[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }

  private static byte[] sha256(byte[] bytes, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes, 0, length);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
