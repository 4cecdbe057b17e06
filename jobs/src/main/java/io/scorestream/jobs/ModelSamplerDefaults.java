package io.scorestream.jobs;

import io.scorestream.core.model.ModelMetadata;
import io.scorestream.proto.v1.SamplerKind;
import io.scorestream.proto.v1.SamplerSettings;
import java.util.Map;

/**
 * Sampler settings a model recommends in its metadata, for the fields a request leaves unset: a VE
 * model whose noise scales were chosen from its data carries annealed Langevin's levels, steps per
 * level and step size ({@code scorestream.ald.*}, docs/trainer.md).
 */
public final class ModelSamplerDefaults {
  private ModelSamplerDefaults() {}

  /**
   * {@code s} with the model's ALD levels, steps and step size where {@code s} asks for ALD and
   * leaves them unset; {@code s} itself otherwise. Values that do not parse are left out (the
   * sampler's own defaults then hold).
   */
  public static SamplerSettings fill(SamplerSettings s, Map<String, String> metadata) {
    if (s.getKind() != SamplerKind.ALD) {
      return s;
    }
    SamplerSettings.Builder b = s.toBuilder();
    Integer levels = whole(metadata.get(ModelMetadata.ALD_LEVELS));
    if (!s.hasLevels() && levels != null) {
      b.setLevels(levels);
    }
    Integer steps = whole(metadata.get(ModelMetadata.ALD_STEPS));
    if (!s.hasSteps() && steps != null) {
      b.setSteps(steps);
    }
    Double stepLr = positive(metadata.get(ModelMetadata.ALD_STEP_LR));
    if (!s.hasStepLr() && stepLr != null) {
      b.setStepLr(stepLr);
    }
    return b.build();
  }

  private static Integer whole(String text) {
    try {
      int v = Integer.parseInt(text);
      return v > 0 ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double positive(String text) {
    try {
      double v = Double.parseDouble(text);
      return v > 0 && Double.isFinite(v) ? v : null;
    } catch (NumberFormatException | NullPointerException e) {
      return null;
    }
  }
}
