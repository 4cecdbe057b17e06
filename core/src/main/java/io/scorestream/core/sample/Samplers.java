package io.scorestream.core.sample;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.sde.VeSde;
import java.util.Locale;

/** Starts a job's {@link SamplingProcess} for a model. */
public final class Samplers {
  private Samplers() {}

  /**
   * Starts a sampler.
   *
   * @param spec the sampler settings
   * @param model what the model says of itself: SDE, data shape, scaling, classes
   * @param samples number of samples M
   * @param seed the job's seed: the same seed gives the same samples
   * @param labels class labels, one per sample, or null for an unconditional job
   * @throws IllegalArgumentException naming the setting that does not fit this model
   */
  public static SamplingProcess start(
      SamplerSpec spec, ModelInfo model, int samples, long seed, long[] labels) {
    return start(spec, model, samples, seed, labels, PcSchedules.none());
  }

  /**
   * Starts a sampler whose PC schedule comes from {@code schedules}, shared with other jobs of
   * equal settings. The samples are the same as without sharing.
   *
   * @throws IllegalArgumentException naming the setting that does not fit this model
   */
  public static SamplingProcess start(
      SamplerSpec spec,
      ModelInfo model,
      int samples,
      long seed,
      long[] labels,
      PcSchedules schedules) {
    check(spec, model, samples, labels);
    int dim = model.dimension();
    double eps = eps(spec, model);
    return switch (spec.kind()) {
      case PC ->
          new PcProcess(
              model.sde(),
              spec,
              schedules.get(model.sde(), spec, eps),
              samples,
              dim,
              labels,
              model.scaling(),
              seed);
      case ODE ->
          new OdeProcess(model.sde(), spec, samples, dim, labels, model.scaling(), seed, eps);
      case ALD ->
          new AldProcess((VeSde) model.sde(), spec, samples, dim, labels, model.scaling(), seed);
      case DPM_SOLVER ->
          new DpmSolverProcess(
              model.sde(),
              spec.order(),
              spec.stochastic(),
              spec.spacing(),
              spec.steps(),
              spec.denoise(),
              samples,
              dim,
              labels,
              model.scaling(),
              seed,
              eps,
              spec.latent());
      case EDM ->
          new EdmProcess(
              model.sde(),
              spec.steps(),
              spec.churn(),
              spec.denoise(),
              samples,
              dim,
              labels,
              model.scaling(),
              seed,
              eps,
              spec.latent());
      case ADAPTIVE ->
          new AdaptiveSdeProcess(
              model.sde(),
              spec.rtol(),
              adaptiveAtol(spec, model),
              spec.steps(),
              spec.denoise(),
              samples,
              dim,
              labels,
              model.scaling(),
              seed,
              eps);
    };
  }

  /**
   * The adaptive SDE solver's absolute tolerance: the job's, or one 8-bit level of the data in the
   * model's space.
   */
  static double adaptiveAtol(SamplerSpec spec, ModelInfo model) {
    if (!Double.isNaN(spec.atol())) {
      return spec.atol();
    }
    return model.scaling().toModel(SamplerSpec.ADAPTIVE_DATA_LEVEL) - model.scaling().toModel(0);
  }

  /**
   * The fewest values per sample the adaptive SDE solver accepts. Its accept test averages the
   * error over one sample's values; measured on the exact 2-D test mixture packed 1, 4, 16 and 64
   * points to a sample (rtol 0.05, 4000 points, VP, sub-VP and VE), sliced W1 is 0.12 to 0.23 at 2
   * values, 0.04 to 0.05 at 8, and 0.015 to 0.017 at 32 and at 128 values.
   */
  public static final int ADAPTIVE_MIN_VALUES = 32;

  /** The most particles per sample an imputation may run. */
  public static final int MAX_PARTICLES = 256;

  /**
   * Starts a solver of the inverse problem {@code y = A x} by imputation inside the PC sampler,
   * with {@code particles} sequential Monte Carlo particles per sample (1: plain imputation; see
   * {@link ImputationProcess}), or inside the DPM-Solver's steps, one particle per sample (see
   * {@link DpmSolverProcess#imputeAlong}).
   *
   * @param measurement the observation of each sample, in the model's data space
   * @throws InvalidSettingException naming the setting that does not fit this model or this
   *     measurement
   */
  public static SamplingProcess impute(
      SamplerSpec spec,
      ModelInfo model,
      LinearMeasurement measurement,
      int particles,
      long seed,
      long[] labels,
      PcSchedules schedules) {
    checkImputation(spec, model, measurement.samples(), measurement.dimension(), particles, labels);
    if (spec.kind() == SamplerKind.DPM_SOLVER) {
      DpmSolverProcess p =
          (DpmSolverProcess) start(spec, model, measurement.samples(), seed, labels, schedules);
      p.imputeAlong(
          new ObservationPath(
              model.sde(), measurement, ObservationPath.generator(seed), model.sde().horizon()));
      return p;
    }
    double eps = eps(spec, model);
    return new ImputationProcess(
        model.sde(),
        spec,
        schedules.get(model.sde(), spec, eps),
        measurement,
        particles,
        model.dimension(),
        labels,
        model.scaling(),
        seed);
  }

  /**
   * Checks what {@link #impute} would refuse, for {@code samples} samples of a measurement of
   * {@code dimension} values, before anything the size of the job is allocated.
   *
   * @throws InvalidSettingException naming the setting
   */
  public static void checkImputation(
      SamplerSpec spec, ModelInfo model, int samples, int dimension, int particles, long[] labels) {
    if (spec.kind() != SamplerKind.PC && spec.kind() != SamplerKind.DPM_SOLVER) {
      throw new InvalidSettingException(
          "kind",
          "imputation runs inside the PC and DPM-Solver samplers, not the "
              + spec.kind().name().toLowerCase(Locale.ROOT)
              + " sampler");
    }
    if (spec.kind() == SamplerKind.DPM_SOLVER && !spec.stochastic()) {
      throw new InvalidSettingException(
          "stochastic",
          "imputation inside the DPM-Solver needs its stochastic variant: the deterministic"
              + " steps carry the noise of the imputed values to the end (measured on the test"
              + " mixture: sliced W1 0.086 against 0.030 stochastic)");
    }
    if (spec.kind() == SamplerKind.DPM_SOLVER && particles > 1) {
      throw new InvalidSettingException(
          "particles",
          "particles are weighted at the PC sampler's Gaussian predictor steps; the DPM-Solver"
              + " imputes one particle per sample");
    }
    if (spec.latent() != null) {
      throw new InvalidSettingException(
          "latent", "a given latent is for the ODE sampler, not imputation");
    }
    if (dimension != model.dimension()) {
      throw new InvalidSettingException(
          "measurement",
          "the measurement is of samples of "
              + dimension
              + " values; model "
              + model.name()
              + " makes samples of "
              + model.dimension());
    }
    if (particles < 1 || particles > MAX_PARTICLES) {
      throw new InvalidSettingException(
          "particles", "particles per sample must be 1 to " + MAX_PARTICLES + ", got " + particles);
    }
    if (particles > 1 && spec.predictor() == PredictorKind.NONE) {
      throw new InvalidSettingException(
          "particles",
          "particles are weighted at predictor steps; with no" + " predictor use one particle");
    }
    check(spec, model, samples, labels);
    long rows = (long) samples * particles;
    if (rows * model.dimension() > MAX_VALUES) {
      throw new InvalidSettingException(
          "particles",
          samples
              + " samples of "
              + particles
              + " particles of "
              + model.dimension()
              + " values are more than one sampler state can hold ("
              + MAX_VALUES
              + ")");
    }
  }

  /**
   * Checks, without allocating anything the size of the job, that these settings can sample this
   * model: what {@link #start} would refuse, it refuses here with the same exception. A queue
   * checks a job when it arrives and starts it later.
   *
   * @throws InvalidSettingException naming the setting that does not fit this model
   */
  public static void check(SamplerSpec spec, ModelInfo model, int samples, long[] labels) {
    if (samples <= 0) {
      throw new InvalidSettingException(
          "samples", "the number of samples must be positive, got " + samples);
    }
    if (labels != null && model.numClasses() == 0) {
      throw new InvalidSettingException(
          "labels", "model " + model.name() + " is unconditional; it takes no class labels");
    }
    if (labels == null && model.numClasses() > 0) {
      throw new InvalidSettingException(
          "labels",
          "model "
              + model.name()
              + " is class-conditional ("
              + model.numClasses()
              + " classes); give one class label per sample");
    }
    if (labels != null) {
      if (labels.length != samples) {
        throw new InvalidSettingException(
            "labels", "need one class label per sample: " + labels.length + " for " + samples);
      }
      for (long label : labels) {
        if (label < 0 || label >= model.numClasses()) {
          throw new InvalidSettingException(
              "labels", "class label " + label + " is outside [0, " + model.numClasses() + ")");
        }
      }
    }
    double eps = eps(spec, model);
    if (!(eps < model.sde().horizon())) {
      throw new InvalidSettingException(
          "eps", "eps " + eps + " must be below the SDE horizon T=" + model.sde().horizon());
    }
    if (spec.kind() == SamplerKind.ALD && !(model.sde() instanceof VeSde)) {
      throw new InvalidSettingException(
          "kind",
          "the ALD sampler needs a VE (NCSN) model; "
              + model.name()
              + " uses the "
              + model.sde().kind().key()
              + " SDE");
    }
    if (spec.kind() == SamplerKind.ADAPTIVE && model.dimension() < ADAPTIVE_MIN_VALUES) {
      throw new InvalidSettingException(
          "kind",
          "the adaptive sampler's error test needs samples of at least "
              + ADAPTIVE_MIN_VALUES
              + " values; model "
              + model.name()
              + " makes samples of "
              + model.dimension()
              + ", on which it keeps the steps whose noise happened to be small and narrows the"
              + " samples: use the dpm-solver sampler");
    }
    long size = (long) samples * model.dimension();
    if (size > MAX_VALUES) {
      throw new InvalidSettingException(
          "samples",
          samples
              + " samples of "
              + model.dimension()
              + " values are "
              + size
              + " values, more than one sampler state can hold ("
              + MAX_VALUES
              + ")");
    }
    if (spec.latent() != null && spec.latent().length != size) {
      throw new InvalidSettingException(
          "latent",
          "latent has "
              + spec.latent().length
              + " values, expected "
              + size
              + " ("
              + samples
              + " samples of "
              + model.dimension()
              + ")");
    }
  }

  /**
   * About how many bytes of memory a sampler's state takes for these settings: per sample value,
   * the doubles it keeps (three for PC and ALD; three plus one per stage for the ODE solvers, eight
   * for Dormand-Prince; the state and three data predictions, and the noise of the stochastic
   * variant, for DPM-Solver; the state, two stages, the last Euler proposal and the noise for the
   * adaptive SDE solver) and two floats (the batched model input and output). For a caller that
   * checks a job fits before it starts one.
   */
  public static long stateBytes(SamplerSpec spec, ModelInfo model, int samples) {
    long values = (long) samples * model.dimension();
    int doubles =
        switch (spec.kind()) {
          case ODE -> 3 + ButcherTableau.of(spec.odeMethod()).stages() + 1;
          case DPM_SOLVER -> 4 + (spec.stochastic() ? 1 : 0);
          case EDM -> 4 + (spec.churn() > 0 ? 1 : 0);
          case ADAPTIVE -> 5;
          default -> 3;
        };
    return values * (doubles * Double.BYTES + 2L * Float.BYTES);
  }

  /**
   * The most values (samples times values per sample) one sampler state holds: the length of a Java
   * array.
   */
  public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  private static double eps(SamplerSpec spec, ModelInfo model) {
    return Double.isNaN(spec.eps()) ? model.eps() : spec.eps();
  }
}
