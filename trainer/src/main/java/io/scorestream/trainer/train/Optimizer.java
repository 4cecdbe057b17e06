package io.scorestream.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.scorestream.trainer.net.Params;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) with the learning rate warmed up linearly over the first steps and
 * gradients clipped to a global norm, as score_sde's {@code optimization_manager}; and the
 * exponential moving average of the weights that is exported. Updates run in place on the
 * parameters after each backward pass, which then zero their gradients. Call it inside the step's
 * {@link ai.djl.ndarray.NDScope}, which frees its temporaries.
 *
 * @see <a href="https://github.com/yang-song/score_sde">score_sde losses.optimization_manager</a>
 */
public final class Optimizer implements AutoCloseable {
  /**
   * Its settings.
   *
   * @param lr peak learning rate
   * @param warmup steps over which the learning rate rises from 0 to {@code lr}
   * @param clip largest global gradient norm (0: none)
   * @param emaDecay decay of the moving average of the weights
   */
  public record Settings(double lr, int warmup, double clip, double emaDecay) {}

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;
  private final Settings settings;
  private final Params params;
  private final NDManager manager;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private final Map<String, NDArray> ema = new LinkedHashMap<>();
  private long step;

  public Optimizer(Settings settings, Params params, NDManager parent) {
    this.settings = settings;
    this.params = params;
    this.manager = parent.newSubManager();
    for (String name : params.names()) {
      NDArray p = params.get(name);
      m.put(name, manager.zeros(p.getShape()));
      v.put(name, manager.zeros(p.getShape()));
      ema.put(name, p.stopGradient().duplicate());
    }
  }

  /**
   * Applies one update from the gradients the parameters hold; returns the gradient norm before
   * clipping.
   */
  public double update() {
    step++;
    double normSquared = 0;
    for (String name : params.names()) {
      NDArray g = params.get(name).getGradient();
      normSquared += g.square().sum().getFloat();
    }
    double norm = Math.sqrt(normSquared);
    double scale = settings.clip() > 0 && norm > settings.clip() ? settings.clip() / norm : 1;
    double lr = settings.lr() * Math.min(1, step / (double) Math.max(1, settings.warmup()));
    double correction1 = 1 - Math.pow(BETA1, step);
    double correction2 = 1 - Math.pow(BETA2, step);
    float decay =
        (float) Math.min(settings.emaDecay(), (1.0 + step) / (10.0 + step)); // score_sde's warm EMA
    for (String name : params.names()) {
      NDArray p = params.get(name);
      // the parameter's storage outside autograd, as PyTorch's p.data: updated in place whatever
      // the thread's grad mode (a new thread starts with it on, and an in-place update of a leaf
      // that requires grad is refused)
      NDArray data = p.stopGradient();
      NDArray g = p.getGradient();
      NDArray clipped = g.mul((float) scale);
      NDArray mi = m.get(name).muli((float) BETA1).addi(clipped.mul((float) (1 - BETA1)));
      NDArray vi = v.get(name).muli((float) BETA2).addi(clipped.square().mul((float) (1 - BETA2)));
      NDArray denominator = vi.div((float) correction2).sqrt().add((float) EPSILON);
      data.subi(mi.div((float) correction1).div(denominator).mul((float) lr));
      ema.get(name).muli(decay).addi(data.mul(1 - decay));
      g.subi(g); // gradients accumulate across backward passes: start the next step at zero
    }
    return norm;
  }

  long steps() {
    return step;
  }

  /** Adam's moments, {@code m.NAME} and {@code v.NAME} for each parameter, copied out. */
  Map<String, float[]> moments() {
    Map<String, float[]> out = new LinkedHashMap<>();
    m.forEach((name, a) -> out.put("m." + name, a.toFloatArray()));
    v.forEach((name, a) -> out.put("v." + name, a.toFloatArray()));
    return out;
  }

  /**
   * Takes up a saved state: the step, Adam's moments and the moving average (same names and sizes).
   */
  void restore(long steps, Map<String, float[]> moments, Map<String, float[]> averaged) {
    for (String name : params.names()) {
      replace(m, name, moments.get("m." + name));
      replace(v, name, moments.get("v." + name));
      replace(ema, name, averaged.get(name));
    }
    this.step = steps;
  }

  private void replace(Map<String, NDArray> arrays, String name, float[] values) {
    NDArray old = arrays.get(name);
    if (values == null || values.length != old.size()) {
      throw new IllegalArgumentException(
          "the state holds "
              + (values == null ? "no" : values.length)
              + " values for "
              + name
              + ", which has "
              + old.size());
    }
    arrays.put(name, manager.create(values, old.getShape()));
    old.close();
  }

  /** The moving average of the weights, copied out. */
  public Map<String, float[]> averaged() {
    Map<String, float[]> out = new LinkedHashMap<>();
    ema.forEach((name, a) -> out.put(name, a.toFloatArray()));
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
