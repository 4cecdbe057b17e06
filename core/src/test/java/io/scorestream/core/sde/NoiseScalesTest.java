package io.scorestream.core.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.stats.Normal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** NCSNv2's noise-scale techniques on data whose answers are known. */
class NoiseScalesTest {
  @Test
  void sigmaMaxIsTheLargestDistanceBetweenTwoExamples() {
    SplittableRandom random = new SplittableRandom(1);
    float[] data = new float[3 * 52];
    for (int i = 0; i < 150; i++) {
      data[i] = (float) random.nextDouble();
    }
    data[150] = -5;
    data[153] = 5;
    assertEquals(10, NoiseScales.largestDistance(data, 3, 7), 1e-6);
  }

  @Test
  void eightBitImagesHaveTheirGridStepAsResolution() {
    SplittableRandom random = new SplittableRandom(2);
    float[] data = new float[500 * 64];
    for (int i = 0; i < data.length; i++) {
      data[i] = random.nextInt(256) / 255f * 2 - 1; // images in [0, 1] modelled in [-1, 1]
    }
    NoiseScales.Resolution r = NoiseScales.resolution(data, 64, 3);
    assertEquals(2.0 / 255, r.value(), 1e-6, r.why());
  }

  @Test
  void continuousDataHaveTheMedianNearestNeighbourDistanceAsResolution() {
    // 3,000 uniform points in the unit square: NN distance r has P(r > x) = exp(-n pi x^2), so the
    // median is sqrt(ln 2 / (n pi)); the median of 1,000 has standard error 1 / (2 f(m) sqrt 1000)
    // with f(m) = n pi m; points near the edges lengthen it by a few percent
    int n = 3000;
    SplittableRandom random = new SplittableRandom(4);
    float[] data = new float[2 * n];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextDouble();
    }
    double median = Math.sqrt(Math.log(2) / (n * Math.PI));
    double standardError = 1 / (2 * n * Math.PI * median * Math.sqrt(1000));
    NoiseScales.Resolution r = NoiseScales.resolution(data, 2, 5);
    assertEquals(median, r.value(), 4 * standardError + 0.03 * median, r.why());
  }

  @Test
  void theLevelRatioSolvesTechniqueTwosEquation() {
    for (int d : new int[] {5, 784, 3072, 12288}) {
      double gamma = NoiseScales.levelRatio(d);
      double centre = Math.sqrt(2.0 * d) * (gamma - 1);
      assertEquals(
          0.5, Normal.cdf(centre + 3 * gamma) - Normal.cdf(centre - 3 * gamma), 1e-9, "D " + d);
    }
    assertEquals(1.0398, NoiseScales.levelRatio(3072), 1e-4, "CIFAR-10's size");
    assertTrue(Double.isNaN(NoiseScales.levelRatio(4)), "no solution below D = 5");
  }

  @Test
  void theStepSizeIsNcsnV2sForCifarTen() {
    // NCSNv2's CIFAR-10: sigma 50 to 0.01 in 232 levels, T = 5, step size 6.2e-6
    double gamma = Math.pow(50 / 0.01, 1.0 / 231);
    double eps = NoiseScales.stepSize(gamma, 5, 0.01);
    assertEquals(6.2e-6, eps, 0.05e-6, "the paper gives two digits");
    double u = eps / (0.01 * 0.01);
    double atBest = NoiseScales.equationFour(u, gamma, 5);
    assertTrue(atBest > 1, "eq. 4 stays above 1");
    assertTrue(
        atBest < NoiseScales.equationFour(u * 0.9, gamma, 5)
            && atBest < NoiseScales.equationFour(u * 1.1, gamma, 5),
        "and is smallest there");
  }

  @Test
  void chooseFillsWhatIsNotGivenAndSaysWhy() {
    SplittableRandom random = new SplittableRandom(6);
    int d = 192;
    float[] data = new float[300 * d];
    for (int i = 0; i < data.length; i++) {
      data[i] = random.nextInt(256) / 255f * 2 - 1;
    }
    NoiseScales chosen = NoiseScales.choose(data, d, null, null, 5, 8);
    assertEquals(NoiseScales.largestDistance(data, d, 8), chosen.sigmaMax(), 1e-12);
    assertEquals(2.0 / 255, chosen.sigmaMin(), 1e-6);
    double target = NoiseScales.levelRatio(d);
    double ratio = Math.pow(chosen.sigmaMax() / chosen.sigmaMin(), 1.0 / (chosen.levels() - 1));
    assertTrue(ratio <= target, ratio + " at most technique 2's " + target);
    assertTrue(
        Math.pow(chosen.sigmaMax() / chosen.sigmaMin(), 1.0 / (chosen.levels() - 2)) > target,
        "the fewest levels that keep the ratio");
    assertEquals(NoiseScales.stepSize(ratio, 5, chosen.sigmaMin()), chosen.stepSize(), 1e-15);
    assertEquals(4, chosen.reasons().size(), String.join("\n", chosen.reasons()));
    assertTrue(chosen.reasons().get(0).contains("technique 1"), chosen.reasons().get(0));

    NoiseScales given = NoiseScales.choose(data, d, 20.0, 0.05, 5, 8);
    assertEquals(20, given.sigmaMax());
    assertEquals(0.05, given.sigmaMin());
    assertTrue(given.reasons().get(0).contains("as given"));
    NoiseScales flat =
        NoiseScales.choose(new float[] {0, 0, 3, 4, 0.5f, 0.25f}, 2, null, null, 5, 8);
    assertEquals(NoiseScales.FALLBACK_LEVELS, flat.levels(), String.join("\n", flat.reasons()));
    assertEquals(5, flat.sigmaMax(), 1e-6);
  }
}
