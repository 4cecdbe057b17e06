package io.scorestream.core.ort;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where ONNX Runtime runs a model: the CPU, or the CUDA device of ordinal {@code cudaIndex}.
 * Written {@code cpu} or {@code cuda:N} ({@code cuda} alone is {@code cuda:0}), as the worker's
 * {@code --device} takes it and its heartbeats and metrics name it.
 *
 * @param cudaIndex the CUDA device ordinal, or -1 for the CPU
 */
public record Device(int cudaIndex) {
  /** The CPU: ONNX Runtime's default execution provider. */
  public static final Device CPU = new Device(-1);

  private static final Pattern CUDA = Pattern.compile("cuda(?::(\\d{1,4}))?");

  public Device {
    if (cudaIndex < -1) {
      throw new IllegalArgumentException("a CUDA device ordinal is 0 or more, got " + cudaIndex);
    }
  }

  /** CUDA device {@code index}. */
  public static Device cuda(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("a CUDA device ordinal is 0 or more, got " + index);
    }
    return new Device(index);
  }

  /**
   * Reads {@code cpu}, {@code cuda} or {@code cuda:N}.
   *
   * @throws IllegalArgumentException naming the forms it takes
   */
  public static Device parse(String text) {
    String s = text == null ? "" : text.trim();
    if (s.equals("cpu")) {
      return CPU;
    }
    Matcher m = CUDA.matcher(s);
    if (m.matches()) {
      return cuda(m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
    }
    throw new IllegalArgumentException(
        "device '" + text + "' is not cpu, cuda or cuda:N (N the CUDA device ordinal)");
  }

  /** True for a CUDA device. */
  public boolean isCuda() {
    return cudaIndex >= 0;
  }

  @Override
  public String toString() {
    return isCuda() ? "cuda:" + cudaIndex : "cpu";
  }
}
