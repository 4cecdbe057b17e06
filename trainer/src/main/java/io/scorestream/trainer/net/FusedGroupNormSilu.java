package io.scorestream.trainer.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code silu(group_norm(x, G, NAME.g, NAME.b, 1e-5))} on {@code [B, C, H, W]} as one call of
 * PyTorch's own fused kernels (ATen's {@code group_norm} and {@code silu}, forward and backward),
 * which DJL's NDArray API does not expose: a TorchScript module per group count, written by {@link
 * TorchScriptArchive} and loaded through DJL, so autograd runs through it like any other operator.
 * Measured on the U-Net at batch 128 it takes a third of the time of the same function written in
 * DJL operators (layer norm over the groups, then scale, shift, sigmoid and product, each a pass
 * over the activations and another in the backward). The modules belong to the manager given.
 */
final class FusedGroupNormSilu {
  private static final String SOURCE =
      """
      class GroupNormSilu(Module):
        __parameters__ = []
        __buffers__ = []
        training : bool
        groups : int
        def forward(self: __torch__.GroupNormSilu,
          x: Tensor,
          w: Tensor,
          b: Tensor) -> Tensor:
          y = torch.group_norm(x, self.groups, w, b, %s)
          return torch.silu(y)
      """
          .formatted(Double.toString(DjlOps.GROUP_NORM_EPS));
  private final PtNDManager manager;
  private final ParameterStore store;
  private final Map<Integer, PtSymbolBlock> modules = new HashMap<>();

  private FusedGroupNormSilu(PtNDManager manager) {
    this.manager = manager;
    this.store = new ParameterStore(manager, false);
  }

  /** The fused function on the manager's engine, or null where the manager is not PyTorch's. */
  static FusedGroupNormSilu on(NDManager manager) {
    return manager instanceof PtNDManager pt ? new FusedGroupNormSilu(pt) : null;
  }

  /**
   * The function of {@code x [B, C, H, W]} with scale {@code g [C]} and shift {@code b [C]} over G
   * groups.
   */
  NDArray apply(NDArray x, NDArray g, NDArray b, int groups) {
    // in training mode only while gradients are recorded, so evaluation keeps no graph
    return module(groups)
        .forward(store, new NDList(x, g, b), JniUtils.isGradMode())
        .singletonOrThrow();
  }

  private synchronized PtSymbolBlock module(int groups) {
    return modules.computeIfAbsent(
        groups,
        k -> {
          byte[] archive =
              TorchScriptArchive.module("GroupNormSilu", SOURCE, Map.of("groups", (long) k));
          try {
            return JniUtils.loadModule(manager, new ByteArrayInputStream(archive), false, false);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
