package io.scorestream.trainer.net;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The TorchScript module written by {@link TorchScriptArchive} computes group norm then SiLU as the
 * same function written in DJL operators does, in its values and in the gradients it passes to the
 * input, scale and shift.
 */
class FusedGroupNormSiluTest {
  @ParameterizedTest(name = "{0} channels in {1} groups, {2}x{2}")
  @CsvSource({"8, 2, 6", "32, 8, 5", "12, 3, 4"})
  void fusedKernelsMatchTheDecomposedFunctionAndItsGradients(int channels, int groups, int size) {
    try (NDManager manager = NDManager.newBaseManager();
        Params params = new Params(manager)) {
      FusedGroupNormSilu fused = FusedGroupNormSilu.on(params.manager());
      assertNotNull(fused, "the PyTorch engine gives a fused operator");
      NDArray g = params.add("n.g", values(channels, 1, 1.5f), channels);
      NDArray b = params.add("n.b", values(channels, 2, 0.5f), channels);
      NDArray x =
          manager.randomNormal(
              0, 2, new Shape(3, channels, size, size), ai.djl.ndarray.types.DataType.FLOAT32);
      x.setRequiresGradient(true);
      NDArray weights = manager.randomNormal(new Shape(3, channels, size, size));
      DjlOps decomposed = new DjlOps(params, new float[0]);
      DjlOps fast = new DjlOps(params, new float[0], fused);

      float[][] slow = run(() -> decomposed.groupNormSilu(x, "n", groups), weights, x, g, b);
      float[][] quick = run(() -> fast.groupNormSilu(x, "n", groups), weights, x, g, b);
      String[] what = {"output", "input gradient", "scale gradient", "shift gradient"};
      for (int k = 0; k < what.length; k++) {
        double err = maxAbsDiff(slow[k], quick[k]);
        assertTrue(err < 1e-4, what[k] + " differs by " + err);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"'1Module'", "'Group Norm'"})
  void archiveRefusesNamesThatAreNotIdentifiers(String name) {
    assertThrows(
        IllegalArgumentException.class, () -> TorchScriptArchive.module(name, "", Map.of()));
  }

  /** Output, and gradients of {@code sum(out * weights)} for x, g and b, recorded afresh. */
  private static float[][] run(Supplier<NDArray> f, NDArray weights, NDArray... inputs) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      for (NDArray in : inputs) {
        in.getGradient().subi(in.getGradient());
      }
      NDArray out = f.get();
      gc.backward(out.mul(weights).sum());
      float[][] r = new float[1 + inputs.length][];
      r[0] = out.toFloatArray();
      for (int i = 0; i < inputs.length; i++) {
        r[1 + i] = inputs[i].getGradient().toFloatArray();
      }
      return r;
    }
  }

  private static float[] values(int n, int seed, float scale) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * scale);
    }
    return v;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
