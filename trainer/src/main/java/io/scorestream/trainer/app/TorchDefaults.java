package io.scorestream.trainer.app;

/**
 * How every command that trains sets up DJL's PyTorch engine, unless the JVM's command line says
 * otherwise: natives from the class path only, and every core inside each operation.
 */
public final class TorchDefaults {
  private TorchDefaults() {}

  /** Sets the engine's system properties that are not set already; call before DJL loads. */
  public static void apply() {
    // DJL's PyTorch natives are in the jar: a trainer never downloads an engine or a model at run
    // time
    setUnlessSet("ai.djl.offline", "true");
    // one training step's operations run one after another: every core goes into each (intra-op),
    // none waits in an inter-op pool, which measured 10 to 20% faster on the U-Net here
    // (BENCHMARKS.md, training)
    setUnlessSet(
        "ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
    setUnlessSet("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static void setUnlessSet(String key, String value) {
    System.setProperty(key, System.getProperty(key, value));
  }
}
