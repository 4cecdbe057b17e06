package io.scorestream.core.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Pins each SDE's coefficients at known t against numbers computed by hand (Song et al. 2021,
 * appendix B).
 */
class SdeValuesTest {
  private static final double TOL = 1e-12;
  private final VeSde ve = new VeSde(0.01, 50, 1);
  private final VpSde vp = new VpSde(0.1, 20, 1);
  private final SubVpSde subVp = new SubVpSde(0.1, 20, 1);

  @Test
  void veKernelStdIsGeometricAndDiffusionMatchesItsDerivative() {
    // sigma(0.5) = 0.01 * 5000^0.5; g = sigma sqrt(2 ln 5000)
    assertEquals(0.7071067811865476, ve.marginalStd(0.5), TOL);
    assertEquals(2.918423065872431, ve.diffusion(0.5), 1e-12);
    assertEquals(1, ve.meanCoefficient(0.7), 0);
    assertEquals(0, ve.driftCoefficient(0.7), 0);
    assertEquals(50, ve.priorStd(), 0);
    assertEquals(0.5, ve.timeOfSigma(ve.sigma(0.5)), TOL);
  }

  @Test
  void veDiscretisationUsesAdjacentGeometricLevels() {
    // levels exp(linspace(ln 0.01, ln 50, 1000)); at t = T: sqrt(50^2 - sigma_998^2)
    assertEquals(6.501323871530357, ve.discretise(1, 1000).g(), 1e-9);
    AncestralStep a = ve.ancestral(1, 1000);
    assertEquals(1, a.a(), 0);
    assertEquals(6.501323871530357 * 6.501323871530357, a.b2(), 1e-7);
    assertEquals(6.446131025323534, a.noiseStd(), 1e-9);
    // at the first level there is no lower level: G = sigma_min, and ancestral adds no noise
    assertEquals(0.01, ve.discretise(1e-5, 1000).g(), 1e-12);
    assertEquals(0, ve.ancestral(1e-5, 1000).noiseStd(), 0);
  }

  @Test
  void vpKernelAndCoefficientsAtHalfTime() {
    // log mean = -t^2 (20 - 0.1) / 4 - t 0.1 / 2 = -1.26875
    assertEquals(0.2811828807967524, vp.meanCoefficient(0.5), TOL);
    assertEquals(0.9596542020680363, vp.marginalStd(0.5), TOL);
    assertEquals(3.1701734968294715, vp.diffusion(0.5), TOL);
    assertEquals(-0.5 * 10.05, vp.driftCoefficient(0.5), TOL);
    assertEquals(1, vp.priorStd(), 0);
  }

  @Test
  void vpDiscretisationUsesDdpmBetas() {
    // index floor(0.5 * 999) = 499; beta_499 = 0.1/1000 + 499 * 19.9 / 1000 / 999
    LinearStep step = vp.discretise(0.5, 1000);
    assertEquals(-0.005032683974011132, step.driftFactor(), 1e-12);
    assertEquals(0.10020000019980059, step.g(), 1e-12);
    assertEquals(1 - 0.010040040040040037, vp.langevinAlpha(0.5, 1000), 1e-12);
    AncestralStep a = vp.ancestral(0.5, 1000);
    assertEquals(Math.sqrt(1 - 0.010040040040040037), a.a(), 1e-12);
    assertEquals(0.10020000019980059, a.noiseStd(), 1e-12);
  }

  @Test
  void subVpStdIsBelowVpAndMatchesClosedForm() {
    assertEquals(0.9209361875468394, subVp.marginalStd(0.5), TOL);
    assertEquals(3.1602494492178512, subVp.diffusion(0.5), TOL);
    assertEquals(vp.meanCoefficient(0.5), subVp.meanCoefficient(0.5), TOL);
    for (double t = 0.01; t < 1; t += 0.07) {
      assert subVp.marginalStd(t) < vp.marginalStd(t);
    }
  }

  @Test
  void subVpAncestralChainReproducesTheKernelAtTheNextTime() {
    // one forward chain step from t - T/N must carry N(m(s) x0, std(s)^2) into N(m(t) x0, std(t)^2)
    double t = 0.4;
    double s = t - 1.0 / 1000;
    AncestralStep a = subVp.ancestral(t, 1000);
    assertEquals(subVp.meanCoefficient(t), a.a() * subVp.meanCoefficient(s), 1e-12);
    double std = subVp.marginalStd(t);
    double previous = subVp.marginalStd(s);
    assertEquals(std * std, a.a() * a.a() * previous * previous + a.b2(), 1e-12);
    assertEquals(a.b2() * previous * previous / (std * std), a.noiseStd() * a.noiseStd(), 1e-15);
  }

  @Test
  void priorLogDensityIsTheIsotropicGaussian() {
    double[] z = {1, -2};
    assertEquals(-Math.log(2 * Math.PI) - 2.5, vp.priorLogDensity(z, 0, 2), TOL);
    assertEquals(-Math.log(2 * Math.PI * 2500) - 5 / 5000.0, ve.priorLogDensity(z, 0, 2), TOL);
  }

  @Test
  void invalidRangesAreRejectedWithTheirValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new VeSde(1, 0.5, 1));
    assertEquals("VE SDE needs 0 < sigma_min < sigma_max, got 1.0, 0.5", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new VpSde(0.1, 20, 0));
  }
}
