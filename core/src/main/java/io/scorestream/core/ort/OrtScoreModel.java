package io.scorestream.core.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.scorestream.core.model.ModelFormatException;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.model.ScoreModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link ScoreModel} on one shared ONNX Runtime session: a score model's {@code score}, or a
 * noise-conditional classifier's {@code grad} (the gradient of {@code log p_t(y | x)}, a field of
 * the same shape). Inputs go through direct native-order buffers that are reused across calls and
 * grown when a larger batch comes; every native tensor and result is closed after each call. One
 * thread calls it at a time.
 */
public final class OrtScoreModel implements ScoreModel {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final OrtSession.SessionOptions options;
  private final ModelInfo info;
  private final boolean conditional;
  private final int dim;
  private final long[] xShape;
  private final long[] tShape = new long[1];
  private final String output;
  private final boolean classifier;
  private final Device device;
  private final Map<String, String> metadata;
  private FloatBuffer xBuffer;
  private FloatBuffer tBuffer;
  private LongBuffer yBuffer;
  private FloatBuffer scoreBuffer;
  private int capacity;

  /**
   * @param options the options the session was made with: ONNX Runtime requires them to stay open
   *     while the session lives, so this model closes them after the session
   * @param expectClassifier true: it must be a classifier; false: a score model; null: whichever
   *     its metadata says
   * @param device where the session runs its nodes
   */
  OrtScoreModel(
      OrtEnvironment env,
      OrtSession session,
      OrtSession.SessionOptions options,
      String fallbackName,
      Boolean expectClassifier,
      Device device)
      throws OrtException {
    this.env = env;
    this.device = device;
    this.session = session;
    this.options = options;
    Map<String, String> metadata = session.getMetadata().getCustomMetadata();
    this.metadata = Map.copyOf(metadata);
    this.info = ModelMetadata.parse(metadata, fallbackName);
    boolean isClassifier = ModelMetadata.CLASSIFIER.equals(metadata.get(ModelMetadata.KIND));
    boolean classifier = expectClassifier == null ? isClassifier : expectClassifier;
    this.classifier = classifier;
    this.output = classifier ? "grad" : "score";
    if (isClassifier != classifier) {
      throw new ModelFormatException(
          classifier
              ? info.name()
                  + " is not a noise-conditional classifier (its metadata lacks "
                  + ModelMetadata.KIND
                  + "="
                  + ModelMetadata.CLASSIFIER
                  + ")"
              : info.name()
                  + " is a noise-conditional classifier, not a score model: it guides a score model"
                  + " (--classifier)");
    }
    Map<String, NodeInfo> inputs = session.getInputInfo();
    requireTensor(inputs, "x", OnnxJavaType.FLOAT, "input");
    requireTensor(inputs, "t", OnnxJavaType.FLOAT, "input");
    requireTensor(session.getOutputInfo(), output, OnnxJavaType.FLOAT, "output");
    this.conditional = inputs.containsKey("y");
    if (conditional) {
      requireTensor(inputs, "y", OnnxJavaType.INT64, "input");
      if (info.numClasses() == 0) {
        throw new ModelFormatException(
            "model "
                + info.name()
                + " has a class input 'y' but its metadata lacks '"
                + ModelMetadata.NUM_CLASSES
                + "'");
      }
    } else if (info.numClasses() > 0) {
      throw new ModelFormatException(
          "model "
              + info.name()
              + " declares "
              + info.numClasses()
              + " classes but has no int64 input 'y'");
    }
    for (String name : inputs.keySet()) {
      if (!name.equals("x") && !name.equals("t") && !name.equals("y")) {
        throw new ModelFormatException(
            "model "
                + info.name()
                + " has an unexpected input '"
                + name
                + "'; the contract allows x, t and y");
      }
    }
    long[] declared = ((TensorInfo) inputs.get("x").getInfo()).getShape();
    int[] shape = info.dataShape();
    if (declared.length != shape.length + 1) {
      throw new ModelFormatException(
          "model "
              + info.name()
              + " input 'x' has rank "
              + declared.length
              + " but its metadata data shape needs rank "
              + (shape.length + 1));
    }
    for (int i = 0; i < shape.length; i++) {
      if (declared[i + 1] > 0 && declared[i + 1] != shape[i]) {
        throw new ModelFormatException(
            "model "
                + info.name()
                + " input 'x' dimension "
                + (i + 1)
                + " is "
                + declared[i + 1]
                + " but '"
                + ModelMetadata.DATA_SHAPE
                + "' says "
                + shape[i]);
      }
    }
    this.dim = info.dimension();
    this.xShape = new long[shape.length + 1];
    for (int i = 0; i < shape.length; i++) {
      xShape[i + 1] = shape[i];
    }
  }

  private void requireTensor(
      Map<String, NodeInfo> infos, String name, OnnxJavaType type, String role) {
    NodeInfo node = infos.get(name);
    if (node == null) {
      throw new ModelFormatException(
          "model lacks the "
              + role
              + " '"
              + name
              + "' the ScoreStream contract needs; it has "
              + infos.keySet());
    }
    if (!(node.getInfo() instanceof TensorInfo tensor) || tensor.type != type) {
      throw new ModelFormatException(
          "model " + role + " '" + name + "' must be a " + type + " tensor, got " + node.getInfo());
    }
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * True for a noise-conditional classifier (its output is {@code grad}), false for a score model.
   */
  public boolean classifier() {
    return classifier;
  }

  /** The device this model's session runs on. */
  public Device device() {
    return device;
  }

  @Override
  public void score(float[] x, float[] t, long[] labels, int n, float[] out) {
    if (conditional && labels == null) {
      throw new IllegalArgumentException(
          "model " + info.name() + " is class-conditional: labels are required");
    }
    ensureCapacity(n);
    xBuffer.clear();
    xBuffer.put(x, 0, n * dim).flip();
    tBuffer.clear();
    tBuffer.put(t, 0, n).flip();
    xShape[0] = n;
    tShape[0] = n;
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    try (OnnxTensor xt = OnnxTensor.createTensor(env, xBuffer, xShape);
        OnnxTensor tt = OnnxTensor.createTensor(env, tBuffer, tShape);
        OnnxTensor yt = conditional ? labelTensor(labels, n) : null) {
      inputs.put("x", xt);
      inputs.put("t", tt);
      if (yt != null) {
        inputs.put("y", yt);
      }
      scoreBuffer.clear().limit(n * dim);
      try (OnnxTensor score = OnnxTensor.createTensor(env, scoreBuffer, xShape);
          OrtSession.Result result = session.run(inputs, Map.of(output, score))) {
        scoreBuffer.get(out, 0, n * dim);
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed on model " + info.name() + ": " + e.getMessage(), e);
    }
  }

  private OnnxTensor labelTensor(long[] labels, int n) throws OrtException {
    yBuffer.clear();
    yBuffer.put(labels, 0, n).flip();
    return OnnxTensor.createTensor(env, yBuffer, tShape);
  }

  private void ensureCapacity(int n) {
    if (n <= capacity) {
      return;
    }
    capacity = Math.max(n, capacity * 2);
    xBuffer =
        ByteBuffer.allocateDirect(capacity * dim * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    tBuffer =
        ByteBuffer.allocateDirect(capacity * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    scoreBuffer =
        ByteBuffer.allocateDirect(capacity * dim * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    yBuffer =
        ByteBuffer.allocateDirect(capacity * Long.BYTES)
            .order(ByteOrder.nativeOrder())
            .asLongBuffer();
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close the session of model " + info.name(), e);
    } finally {
      options.close(); // only now: the session used them until it closed
    }
  }
}
