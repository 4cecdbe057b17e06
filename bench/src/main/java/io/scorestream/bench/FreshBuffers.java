package io.scorestream.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.Device;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The plain way to call ONNX Runtime from Java, for {@code bench gpu} to weigh {@link
 * io.scorestream.core.ort.OrtScoreModel}'s reused direct buffers and bound output against: every
 * call wraps the heap arrays (ONNX Runtime copies them into fresh native tensors) and lets ONNX
 * Runtime allocate the output, which is then copied out.
 */
final class FreshBuffers implements ScoreModel {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
  private final OrtSession session;
  private final ModelInfo info;

  FreshBuffers(byte[] onnx, ModelInfo info, Device device, int threads) throws OrtException {
    this.info = info;
    if (threads > 0) {
      options.setIntraOpNumThreads(threads);
    }
    if (device.isCuda()) {
      options.addCUDA(device.cudaIndex());
    }
    session = env.createSession(onnx, options);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public void score(float[] x, float[] t, long[] labels, int n, float[] out) {
    int dim = info.dimension();
    long[] shape = new long[info.dataShape().length + 1];
    shape[0] = n;
    for (int i = 0; i < info.dataShape().length; i++) {
      shape[i + 1] = info.dataShape()[i];
    }
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try (OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x, 0, n * dim), shape);
        OnnxTensor tt = OnnxTensor.createTensor(env, FloatBuffer.wrap(t, 0, n), new long[] {n});
        OnnxTensor yt =
            labels == null
                ? null
                : OnnxTensor.createTensor(env, LongBuffer.wrap(labels, 0, n), new long[] {n})) {
      inputs.put("x", xt);
      inputs.put("t", tt);
      if (yt != null) {
        inputs.put("y", yt);
      }
      try (OrtSession.Result result = session.run(inputs)) {
        ((OnnxTensor) result.get(0)).getFloatBuffer().get(out, 0, n * dim);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    } finally {
      options.close();
    }
  }
}
