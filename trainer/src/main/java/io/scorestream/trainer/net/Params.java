package io.scorestream.trainer.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A network's trainable parameters: named arrays that collect gradients, in a fixed order (the
 * order of {@link #names()}), owned by one manager. Snapshots are plain float arrays, for the
 * moving average, the state file and the ONNX export.
 */
public final class Params implements AutoCloseable {
  private final NDManager manager;
  private final Map<String, NDArray> arrays = new LinkedHashMap<>();
  private final Map<String, long[]> shapes = new LinkedHashMap<>();

  public Params(NDManager parent) {
    this.manager = parent.newSubManager();
  }

  /**
   * Parameters of the given shapes, in their order, with the given values.
   *
   * @throws IllegalArgumentException naming a parameter whose values are missing or of another size
   */
  public static Params of(
      NDManager parent, Map<String, long[]> shapes, Map<String, float[]> values) {
    Params p = new Params(parent);
    shapes.forEach(
        (name, dims) -> {
          float[] v = values.get(name);
          if (v == null || v.length != Arrays.stream(dims).reduce(1, (a, b) -> a * b)) {
            p.close();
            throw new IllegalArgumentException(
                "weights for "
                    + name
                    + " of shape "
                    + Arrays.toString(dims)
                    + " are "
                    + (v == null ? "missing" : v.length + " values"));
          }
          p.add(name, v, dims);
        });
    return p;
  }

  /** Adds a parameter with these values and shape; it collects gradients. */
  public NDArray add(String name, float[] values, long... shape) {
    NDArray a = manager.create(values, new Shape(shape));
    a.setRequiresGradient(true);
    arrays.put(name, a);
    shapes.put(name, shape.clone());
    return a;
  }

  public NDArray get(String name) {
    NDArray a = arrays.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    return a;
  }

  /** The manager that owns the parameters (and what is made for them, such as fused operators). */
  NDManager manager() {
    return manager;
  }

  public Iterable<String> names() {
    return arrays.keySet();
  }

  public long[] shape(String name) {
    return shapes.get(name).clone();
  }

  /** Every parameter's shape, in order. */
  public Map<String, long[]> shapes() {
    Map<String, long[]> out = new LinkedHashMap<>();
    shapes.forEach((name, dims) -> out.put(name, dims.clone()));
    return out;
  }

  /** Every parameter's values, copied out. */
  public Map<String, float[]> snapshot() {
    Map<String, float[]> out = new LinkedHashMap<>();
    arrays.forEach((name, a) -> out.put(name, a.toFloatArray()));
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
