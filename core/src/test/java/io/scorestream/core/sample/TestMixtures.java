package io.scorestream.core.sample;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.core.sde.SubVpSde;
import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;
import java.util.List;

/**
 * The analytic ground truth the sampler tests run against: a 3-component 2-D mixture as ONNX under
 * each SDE.
 */
final class TestMixtures {
  private TestMixtures() {}

  /** Three well-separated components with unequal weights and widths. */
  static final GaussianMixture MIXTURE =
      new GaussianMixture(
          new double[] {0.5, 0.3, 0.2},
          new double[][] {{-2, 0}, {2, 0.5}, {0, 3}},
          new double[] {0.5, 0.4, 0.6});

  /**
   * VE with the reference sigma_max of 50: far above the distance between components (Song and
   * Ermon 2020, technique 1) and large enough that the prior N(0, 50^2) matches p_T, whose mean is
   * not 0, closely enough for the deterministic ODE (with sigma_max = 10 the mismatch moves a mode
   * weight by about 3 standard errors).
   */
  static Sde sde(SdeKind kind) {
    return switch (kind) {
      case VE -> new VeSde(0.01, 50, 1);
      case VP -> new VpSde(0.1, 20, 1);
      case SUBVP -> new SubVpSde(0.1, 20, 1);
    };
  }

  static ModelInfo info(SdeKind kind) {
    Sde sde = sde(kind);
    return new ModelInfo(
        "gmm-" + kind.key(),
        "1",
        sde,
        sde.defaultEps(),
        new int[] {2},
        DataScaling.IDENTITY,
        0,
        TimeInput.TIME,
        "",
        -1);
  }

  static ScoreModel model(OrtRuntime runtime, SdeKind kind) {
    return runtime.load(GaussianMixtureOnnx.build(MIXTURE, info(kind)), "gmm-" + kind.key());
  }

  /** Runs one job alone to the end and returns its samples as rows. */
  static double[][] run(ScoreModel model, SamplerSpec spec, int samples, long seed) {
    SamplingProcess p = Samplers.start(spec, model.info(), samples, seed, null);
    new BatchEvaluator(model, 1 << 20).runToCompletion(List.of(p), () -> {});
    if (p.failure() != null) {
      throw new AssertionError(p.failure().message());
    }
    return rows(p.result(), 2);
  }

  static double[][] rows(float[] flat, int dim) {
    double[][] out = new double[flat.length / dim][dim];
    for (int i = 0; i < out.length; i++) {
      for (int j = 0; j < dim; j++) {
        out[i][j] = flat[i * dim + j];
      }
    }
    return out;
  }
}
