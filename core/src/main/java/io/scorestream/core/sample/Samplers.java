package io.scorestream.core.sample;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.sde.VeSde;

/** Starts a job's {@link SamplingProcess} for a model. */
public final class Samplers {
  private Samplers() {}

  /**
   * Starts a sampler.
   *
   * @param spec    the sampler settings
   * @param model   what the model says of itself: SDE, data shape, scaling, classes
   * @param samples number of samples M
   * @param seed    the job's seed: the same seed gives the same samples
   * @param labels  class labels, one per sample, or null for an unconditional job
   * @throws IllegalArgumentException naming the setting that does not fit this model
   */
  public static SamplingProcess start(SamplerSpec spec, ModelInfo model, int samples, long seed, long[] labels) {
    return start(spec, model, samples, seed, labels, PcSchedules.none());
  }

  /**
   * Starts a sampler whose PC schedule comes from {@code schedules}, shared with other jobs of equal settings. The
   * samples are the same as without sharing.
   *
   * @throws IllegalArgumentException naming the setting that does not fit this model
   */
  public static SamplingProcess start(SamplerSpec spec, ModelInfo model, int samples, long seed, long[] labels,
      PcSchedules schedules) {
    if (labels != null && model.numClasses() == 0) {
      throw new IllegalArgumentException("model " + model.name() + " is unconditional; it takes no class labels");
    }
    if (labels != null) {
      for (long label : labels) {
        if (label < 0 || label >= model.numClasses()) {
          throw new IllegalArgumentException("class label " + label + " is outside [0, " + model.numClasses() + ")");
        }
      }
    }
    if (labels == null && model.numClasses() > 0) {
      throw new IllegalArgumentException("model " + model.name() + " is class-conditional (" + model.numClasses()
          + " classes); give one class label per sample");
    }
    int dim = model.dimension();
    double eps = Double.isNaN(spec.eps()) ? model.eps() : spec.eps();
    return switch (spec.kind()) {
      case PC -> new PcProcess(model.sde(), spec, schedules.get(model.sde(), spec, eps), samples, dim, labels,
          model.scaling(), seed);
      case ODE -> new OdeProcess(model.sde(), spec, samples, dim, labels, model.scaling(), seed, eps);
      case ALD -> {
        if (!(model.sde() instanceof VeSde ve)) {
          throw new IllegalArgumentException("the ALD sampler needs a VE (NCSN) model; " + model.name()
              + " uses the " + model.sde().kind().key() + " SDE");
        }
        yield new AldProcess(ve, spec, samples, dim, labels, model.scaling(), seed);
      }
    };
  }
}
