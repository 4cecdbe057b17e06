package io.scorestream.core.model;

import io.scorestream.core.sde.Sde;
import java.util.Arrays;

/**
 * What a score model says of itself in its metadata (DESIGN.md, "Score model contract").
 *
 * @param name model name
 * @param version model version
 * @param sde the forward SDE the model was trained under
 * @param eps smallest time a sampler integrates to by default
 * @param dataShape one sample's shape, e.g. {@code [2]} or {@code [1, 28, 28]}
 * @param scaling how model space maps to data space
 * @param numClasses number of classes of a class-conditional model, 0 for an unconditional one
 * @param timeInput whether input {@code t} carries time or sigma
 * @param dataset provenance: the dataset, or empty
 * @param trainStep provenance: the training step, or -1
 */
public record ModelInfo(
    String name,
    String version,
    Sde sde,
    double eps,
    int[] dataShape,
    DataScaling scaling,
    int numClasses,
    TimeInput timeInput,
    String dataset,
    long trainStep) {

  public ModelInfo {
    dataShape = dataShape.clone();
    if (dataShape.length == 0 || Arrays.stream(dataShape).anyMatch(d -> d <= 0)) {
      throw new ModelFormatException(
          "data shape must be non-empty and positive, got " + Arrays.toString(dataShape));
    }
    if (!(eps > 0 && eps < sde.horizon())) {
      throw new ModelFormatException("eps " + eps + " must lie in (0, T=" + sde.horizon() + ")");
    }
  }

  /** Values in one sample: the product of the data shape. */
  public int dimension() {
    int d = 1;
    for (int s : dataShape) {
      d *= s;
    }
    return d;
  }

  @Override
  public int[] dataShape() {
    return dataShape.clone();
  }

  /** True for {@code [1, H, W]} or {@code [3, H, W]} shapes, which can be written as PNG images. */
  public boolean isImage() {
    return isImageShape(dataShape);
  }

  /** True for a sample shape {@code [1, H, W]} or {@code [3, H, W]}. */
  public static boolean isImageShape(int[] shape) {
    return shape.length == 3 && (shape[0] == 1 || shape[0] == 3);
  }

  /**
   * Class labels for {@code n} samples that take every class in turn ({@code 0, 1, ..., K-1, 0,
   * ...}), so each class gets {@code n / K} or one more; null for an unconditional model.
   */
  public long[] labelsInTurn(int n) {
    if (numClasses == 0) {
      return null;
    }
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % numClasses;
    }
    return labels;
  }

  /** The value the model's t input takes at diffusion time t. */
  public double modelTime(double t) {
    return timeInput == TimeInput.SIGMA ? sde.marginalStd(t) : t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelInfo m
        && name.equals(m.name)
        && version.equals(m.version)
        && sde.equals(m.sde)
        && eps == m.eps
        && Arrays.equals(dataShape, m.dataShape)
        && scaling == m.scaling
        && numClasses == m.numClasses
        && timeInput == m.timeInput
        && dataset.equals(m.dataset)
        && trainStep == m.trainStep;
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(dataShape);
  }

  @Override
  public String toString() {
    return name
        + ":"
        + version
        + " ("
        + sde.kind().key()
        + ", shape "
        + Arrays.toString(dataShape)
        + ")";
  }
}
