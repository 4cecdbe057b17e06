package io.scorestream.core.onnx;

import io.scorestream.core.sde.LinearBeta;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;

/**
 * An SDE's perturbation kernel {@code N(m(t) x0, sigma(t)^2 I)} written into an ONNX graph, for
 * graphs whose output depends on it (the exact mixture score, a network trained to predict the
 * noise): VE {@code m = 1}, {@code sigma = sigma_min (sigma_max / sigma_min)^t}; VP {@code log m =
 * -t^2 (beta_max - beta_min) / 4 - t beta_min / 2}, {@code sigma^2 = 1 - m^2}; sub-VP the same m,
 * {@code sigma = 1 - m^2} (Song et al. 2021, appendix B).
 */
public final class SdeGraph {
  /**
   * The kernel's values in the graph, each {@code [N, 1]}.
   *
   * @param mean m(t), or null for VE (where it is 1)
   * @param variance sigma(t)^2
   */
  public record Kernel(String mean, String variance) {
    /** sigma(t), {@code [N, 1]}. */
    public String std(OnnxGraphBuilder g) {
      return g.op("Sqrt", variance);
    }
  }

  private SdeGraph() {}

  /** The kernel at the times in {@code tColumn} ({@code [N, 1]}). */
  public static Kernel kernel(OnnxGraphBuilder g, Sde sde, String tColumn) {
    if (sde instanceof VeSde ve) {
      double rate = Math.log(ve.sigmaMax() / ve.sigmaMin()) / ve.horizon();
      String sigma =
          g.op("Mul", g.scalar(ve.sigmaMin()), g.op("Exp", g.op("Mul", tColumn, g.scalar(rate))));
      return new Kernel(null, g.op("Mul", sigma, sigma));
    }
    LinearBeta schedule = (LinearBeta) sde;
    double betaMin = schedule.betaMin();
    double betaMax = schedule.betaMax();
    String logMean =
        g.op(
            "Add",
            g.op("Mul", g.op("Mul", tColumn, tColumn), g.scalar(-0.25 * (betaMax - betaMin))),
            g.op("Mul", tColumn, g.scalar(-0.5 * betaMin)));
    String oneMinus = g.op("Sub", g.scalar(1), g.op("Exp", g.op("Mul", logMean, g.scalar(2))));
    return new Kernel(
        g.op("Exp", logMean), sde instanceof VpSde ? oneMinus : g.op("Mul", oneMinus, oneMinus));
  }
}
