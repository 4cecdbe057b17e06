package io.scorestream.core.sample;

/**
 * A job's sampler settings with every default resolved (the defaults of Song et al.'s reference
 * code).
 *
 * @param kind PC, ODE or ALD
 * @param predictor PC predictor
 * @param corrector PC corrector
 * @param correctorSteps corrector steps per predictor step (PC)
 * @param snr corrector signal-to-noise ratio (PC)
 * @param steps PC: time steps N; fixed-step ODE: steps; ALD: steps per noise level; DPM-Solver:
 *     steps; EDM: noise levels; adaptive SDE solver: the most score evaluations it may spend
 * @param denoise return the last predictor mean (PC), or finish with a denoising step (ODE, ALD)
 * @param rtol relative tolerance of the adaptive ODE and the adaptive SDE solver
 * @param atol absolute tolerance of the adaptive ODE and the adaptive SDE solver (model space); NaN
 *     for the adaptive SDE solver means one 8-bit level of the data, {@link #ADAPTIVE_DATA_LEVEL},
 *     in model space
 * @param odeMethod ODE solver
 * @param eps smallest time sampled, or NaN for the SDE's default
 * @param predictorFirst PC in the paper's order (predictor, then corrector) instead of the
 *     reference's
 * @param levels ALD noise levels
 * @param stepLr ALD base step size epsilon
 * @param latent ODE: a given latent at T, model space, {@code [samples * dim]}, or null to draw one
 */
public record SamplerSpec(
    SamplerKind kind,
    PredictorKind predictor,
    CorrectorKind corrector,
    int correctorSteps,
    double snr,
    int steps,
    boolean denoise,
    double rtol,
    double atol,
    OdeMethod odeMethod,
    double eps,
    boolean predictorFirst,
    int levels,
    double stepLr,
    double[] latent,
    int order,
    boolean stochastic,
    TimeSpacing spacing,
    double churn) {

  /**
   * The reference code's PC defaults: reverse diffusion + Langevin, snr 0.16, one corrector step,
   * 1000 steps.
   */
  public static final int DEFAULT_PC_STEPS = 1000;

  /**
   * DPM-Solver's default steps: 30, plus the final denoising evaluation, where its second-order
   * method reaches the 1000-step reference's quality on the analytic mixtures.
   */
  public static final int DEFAULT_DPM_SOLVER_STEPS = 30;

  /** EDM's default noise levels, the paper's 18: 35 evaluations with the final denoising. */
  public static final int DEFAULT_EDM_LEVELS = 18;

  /**
   * The adaptive SDE solver's budget of score evaluations unless a job gives one: what the
   * 1000-step reference PC sampler spends, which it is meant to undercut.
   */
  public static final int DEFAULT_ADAPTIVE_BUDGET = 2000;

  /** The adaptive SDE solver's relative tolerance, the middle of the paper's range. */
  public static final double DEFAULT_ADAPTIVE_RTOL = 0.05;

  /**
   * The adaptive SDE solver's default absolute tolerance, in data units: one 8-bit level of data in
   * [0, 1] (the paper's 0.0078 for data in [-1, 1]).
   */
  public static final double ADAPTIVE_DATA_LEVEL = 1.0 / 255;

  /**
   * The most score evaluations a fixed schedule may plan: PC samplers keep a few coefficients per
   * evaluation (32 bytes each, 32 MB at this limit), and a thousand times the reference's 1000
   * steps is far past any use.
   */
  public static final long MAX_PLANNED_EVALUATIONS = 1_000_000;

  public SamplerSpec {
    require("steps", steps > 0, "steps must be positive, got " + steps);
    require(
        "correctorSteps",
        correctorSteps >= 0,
        "corrector steps must be zero or more, got " + correctorSteps);
    require("levels", levels > 0, "levels must be positive, got " + levels);
    require(
        "levels",
        levels <= MAX_PLANNED_EVALUATIONS,
        "levels must be at most " + MAX_PLANNED_EVALUATIONS + ", got " + levels);
    long planned =
        kind == SamplerKind.PC
            ? (long) steps * (1L + correctorSteps)
            : kind == SamplerKind.ALD ? (long) steps * levels : steps;
    require(
        "steps",
        planned <= MAX_PLANNED_EVALUATIONS,
        "steps"
            + (kind == SamplerKind.PC
                ? " x (1 + corrector steps)"
                : kind == SamplerKind.ALD ? " x levels" : "")
            + " must be at most "
            + MAX_PLANNED_EVALUATIONS
            + " score evaluations, got "
            + planned);
    require("snr", snr > 0 && Double.isFinite(snr), "snr must be positive, got " + snr);
    require("rtol", rtol > 0 && Double.isFinite(rtol), "rtol must be positive, got " + rtol);
    require(
        "atol",
        atol > 0 && Double.isFinite(atol) || Double.isNaN(atol) && kind == SamplerKind.ADAPTIVE,
        "atol must be positive, got " + atol);
    require(
        "eps",
        Double.isNaN(eps) || eps > 0 && Double.isFinite(eps),
        "eps must be positive, got " + eps);
    require(
        "stepLr",
        stepLr > 0 && Double.isFinite(stepLr),
        "step size must be positive, got " + stepLr);
    require(
        "predictor",
        kind != SamplerKind.PC
            || predictor != PredictorKind.NONE
            || corrector != CorrectorKind.NONE && correctorSteps > 0,
        "a PC sampler with no predictor needs a corrector with at least one step");
    require(
        "order",
        order >= 1 && order <= (stochastic ? 2 : 3),
        "order must be 1, 2 or 3 (1 or 2 when stochastic), got " + order);
    require(
        "churn", churn >= 0 && Double.isFinite(churn), "churn must be zero or more, got " + churn);
    require(
        "churn",
        churn == 0 || kind == SamplerKind.EDM,
        "only the EDM sampler churns; this one is " + kind);
    require(
        "steps",
        kind != SamplerKind.EDM || steps >= 2,
        "the EDM sampler needs at least 2 noise levels, got " + steps);
    require(
        "steps",
        kind != SamplerKind.ADAPTIVE || steps >= 3,
        "the adaptive solver's budget must cover one step and the final denoising, at least 3"
            + " score evaluations, got "
            + steps);
    require(
        "stochastic",
        !stochastic || kind == SamplerKind.DPM_SOLVER,
        "only the DPM-Solver sampler has a stochastic variant; this one is " + kind);
    require(
        "latent",
        latent == null
            || kind == SamplerKind.ODE
            || kind == SamplerKind.DPM_SOLVER && !stochastic
            || kind == SamplerKind.EDM && churn == 0,
        "only the ODE and the deterministic DPM-Solver and EDM start from a given latent; this"
            + " one is "
            + kind
            + (stochastic || churn > 0 ? ", stochastic" : ""));
    if (latent != null) {
      for (int i = 0; i < latent.length; i++) {
        require("latent", Double.isFinite(latent[i]), "latent value " + i + " is " + latent[i]);
      }
    }
  }

  private static void require(String setting, boolean condition, String message) {
    if (!condition) {
      throw new InvalidSettingException(setting, message);
    }
  }

  /** A builder holding the reference defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The reference defaults: PC, reverse diffusion, Langevin, snr 0.16, 1000 steps, denoise. */
  public static SamplerSpec defaults() {
    return builder().build();
  }

  /**
   * Builds a {@link SamplerSpec}; unset step counts take the default for the chosen sampler kind.
   */
  public static final class Builder {
    private SamplerKind kind = SamplerKind.PC;
    private PredictorKind predictor = PredictorKind.REVERSE_DIFFUSION;
    private CorrectorKind corrector = CorrectorKind.LANGEVIN;
    private int correctorSteps = 1;
    private double snr = 0.16;
    private Integer steps;
    private boolean denoise = true;
    private Double rtol;
    private Double atol;
    private OdeMethod odeMethod = OdeMethod.DORMAND_PRINCE;
    private double eps = Double.NaN;
    private boolean predictorFirst;
    private int levels = 10;
    private double stepLr = 2e-5;
    private double[] latent;
    private int order = 2;
    private boolean stochastic;
    private TimeSpacing spacing = TimeSpacing.LOG_SNR;
    private double churn;

    public Builder kind(SamplerKind v) {
      kind = v;
      return this;
    }

    public Builder predictor(PredictorKind v) {
      predictor = v;
      return this;
    }

    public Builder corrector(CorrectorKind v) {
      corrector = v;
      return this;
    }

    public Builder correctorSteps(int v) {
      correctorSteps = v;
      return this;
    }

    public Builder snr(double v) {
      snr = v;
      return this;
    }

    public Builder steps(int v) {
      steps = v;
      return this;
    }

    public Builder denoise(boolean v) {
      denoise = v;
      return this;
    }

    public Builder rtol(double v) {
      rtol = v;
      return this;
    }

    public Builder atol(double v) {
      atol = v;
      return this;
    }

    public Builder odeMethod(OdeMethod v) {
      odeMethod = v;
      return this;
    }

    public Builder eps(double v) {
      eps = v;
      return this;
    }

    public Builder predictorFirst(boolean v) {
      predictorFirst = v;
      return this;
    }

    public Builder levels(int v) {
      levels = v;
      return this;
    }

    public Builder stepLr(double v) {
      stepLr = v;
      return this;
    }

    public Builder latent(double[] v) {
      latent = v;
      return this;
    }

    public Builder order(int v) {
      order = v;
      return this;
    }

    public Builder stochastic(boolean v) {
      stochastic = v;
      return this;
    }

    public Builder spacing(TimeSpacing v) {
      spacing = v;
      return this;
    }

    public Builder churn(double v) {
      churn = v;
      return this;
    }

    public SamplerSpec build() {
      int n =
          steps != null
              ? steps
              : switch (kind) {
                case PC -> DEFAULT_PC_STEPS;
                case ODE -> 100;
                case ALD -> 100;
                case DPM_SOLVER -> DEFAULT_DPM_SOLVER_STEPS;
                case EDM -> DEFAULT_EDM_LEVELS;
                case ADAPTIVE -> DEFAULT_ADAPTIVE_BUDGET;
              };
      boolean adaptiveSde = kind == SamplerKind.ADAPTIVE;
      return new SamplerSpec(
          kind,
          predictor,
          corrector,
          correctorSteps,
          snr,
          n,
          denoise,
          rtol != null ? rtol : adaptiveSde ? DEFAULT_ADAPTIVE_RTOL : 1e-5,
          atol != null ? atol : adaptiveSde ? Double.NaN : 1e-5,
          odeMethod,
          eps,
          predictorFirst,
          levels,
          stepLr,
          latent,
          order,
          stochastic,
          spacing,
          churn);
    }
  }
}
