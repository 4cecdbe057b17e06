package io.scorestream.core.model;

import io.scorestream.core.sde.LinearBeta;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.core.sde.SubVpSde;
import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads and writes the {@code scorestream.*} keys of an ONNX model's {@code metadata_props}
 * (DESIGN.md, "Metadata keys"). Missing optional keys take the defaults of Song et al.'s reference
 * code; a missing required key ({@code scorestream.sde}, its range, {@code scorestream.data.shape})
 * is an error that names the key.
 */
public final class ModelMetadata {
  public static final String NAME = "scorestream.model.name";
  public static final String VERSION = "scorestream.model.version";
  public static final String SDE = "scorestream.sde";
  public static final String SIGMA_MIN = "scorestream.sde.sigma_min";
  public static final String SIGMA_MAX = "scorestream.sde.sigma_max";
  public static final String BETA_MIN = "scorestream.sde.beta_min";
  public static final String BETA_MAX = "scorestream.sde.beta_max";
  public static final String HORIZON = "scorestream.sde.T";
  public static final String EPS = "scorestream.sde.eps";
  public static final String DATA_SHAPE = "scorestream.data.shape";
  public static final String DATA_SCALING = "scorestream.data.scaling";
  public static final String NUM_CLASSES = "scorestream.num_classes";
  public static final String DATASET = "scorestream.dataset";
  public static final String TRAIN_STEP = "scorestream.train.step";

  /** How the trainer fitted the model (informative: {@code dsm}, {@code ssm (...)}). */
  public static final String TRAIN_OBJECTIVE = "scorestream.train.objective";

  /** How a VE model's noise scales were chosen (informative, one clause per choice). */
  public static final String NOISE_SCALES = "scorestream.train.noise_scales";

  /** Annealed Langevin's levels for this model, chosen with its noise scales. */
  public static final String ALD_LEVELS = "scorestream.ald.levels";

  /** Annealed Langevin's steps per level for this model. */
  public static final String ALD_STEPS = "scorestream.ald.steps";

  /** Annealed Langevin's step size epsilon for this model. */
  public static final String ALD_STEP_LR = "scorestream.ald.step_lr";

  public static final String TIME_INPUT = "scorestream.time_input";

  /**
   * What a file holds when it is not a score model: {@link #CLASSIFIER} for a noise-conditional
   * classifier.
   */
  public static final String KIND = "scorestream.kind";

  public static final String CLASSIFIER = "noise-conditional-classifier";

  private ModelMetadata() {}

  /**
   * Parses model metadata.
   *
   * @param props the model's metadata
   * @param fallbackName the name to use when the metadata names none (e.g. the file name)
   * @throws ModelFormatException naming the missing or malformed key
   */
  public static ModelInfo parse(Map<String, String> props, String fallbackName) {
    SdeKind kind = parseWith(props, SDE, SdeKind::parse);
    double horizon = number(props, HORIZON, 1.0);
    Sde sde;
    try {
      sde =
          switch (kind) {
            case VE ->
                new VeSde(number(props, SIGMA_MIN, null), number(props, SIGMA_MAX, null), horizon);
            case VP ->
                new VpSde(number(props, BETA_MIN, null), number(props, BETA_MAX, null), horizon);
            case SUBVP ->
                new SubVpSde(number(props, BETA_MIN, null), number(props, BETA_MAX, null), horizon);
          };
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException("model metadata has an invalid SDE: " + e.getMessage(), e);
    }
    int[] dataShape =
        parseWith(
            props,
            DATA_SHAPE,
            v -> {
              String[] parts = v.split(",");
              int[] dims = new int[parts.length];
              for (int i = 0; i < parts.length; i++) {
                dims[i] = Integer.parseInt(parts[i].trim());
              }
              return dims;
            });
    DataScaling scaling =
        props.containsKey(DATA_SCALING)
            ? parseWith(props, DATA_SCALING, DataScaling::parse)
            : DataScaling.IDENTITY;
    TimeInput timeInput =
        props.containsKey(TIME_INPUT)
            ? parseWith(
                props, TIME_INPUT, v -> TimeInput.valueOf(v.trim().toUpperCase(Locale.ROOT)))
            : TimeInput.TIME;
    int classes = (int) number(props, NUM_CLASSES, 0.0);
    if (classes < 0) {
      throw new ModelFormatException(
          "model metadata key '" + NUM_CLASSES + "' must not be negative");
    }
    return new ModelInfo(
        props.getOrDefault(NAME, fallbackName),
        props.getOrDefault(VERSION, "0"),
        sde,
        number(props, EPS, sde.defaultEps()),
        dataShape,
        scaling,
        classes,
        timeInput,
        props.getOrDefault(DATASET, ""),
        (long) number(props, TRAIN_STEP, -1.0));
  }

  /** The metadata that describes {@code info}, numbers in plain decimal. */
  public static Map<String, String> describe(ModelInfo info) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put(NAME, info.name());
    props.put(VERSION, info.version());
    Sde sde = info.sde();
    props.put(SDE, sde.kind().key());
    if (sde instanceof VeSde ve) {
      props.put(SIGMA_MIN, plain(ve.sigmaMin()));
      props.put(SIGMA_MAX, plain(ve.sigmaMax()));
    } else if (sde instanceof LinearBeta schedule) {
      props.put(BETA_MIN, plain(schedule.betaMin()));
      props.put(BETA_MAX, plain(schedule.betaMax()));
    }
    props.put(HORIZON, plain(sde.horizon()));
    props.put(EPS, plain(info.eps()));
    StringBuilder shape = new StringBuilder();
    for (int d : info.dataShape()) {
      shape.append(shape.length() == 0 ? "" : ",").append(d);
    }
    props.put(DATA_SHAPE, shape.toString());
    props.put(DATA_SCALING, info.scaling().key());
    if (info.numClasses() > 0) {
      props.put(NUM_CLASSES, Integer.toString(info.numClasses()));
    }
    props.put(TIME_INPUT, info.timeInput().name().toLowerCase(Locale.ROOT));
    if (!info.dataset().isEmpty()) {
      props.put(DATASET, info.dataset());
    }
    if (info.trainStep() >= 0) {
      props.put(TRAIN_STEP, Long.toString(info.trainStep()));
    }
    return props;
  }

  /** A number in plain decimal (no exponent), as the metadata contract asks. */
  public static String plain(double v) {
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  private static String required(Map<String, String> props, String key) {
    String v = props.get(key);
    if (v == null) {
      throw new ModelFormatException("model metadata lacks the required key '" + key + "'");
    }
    return v;
  }

  private static double number(Map<String, String> props, String key, Double fallback) {
    if (!props.containsKey(key)) {
      if (fallback == null) {
        required(props, key);
      }
      return fallback;
    }
    return parseWith(
        props,
        key,
        v -> {
          double d = Double.parseDouble(v.trim());
          if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("not finite");
          }
          return d;
        });
  }

  private static <T> T parseWith(Map<String, String> props, String key, Function<String, T> p) {
    String v = required(props, key);
    try {
      return p.apply(v);
    } catch (RuntimeException e) {
      throw new ModelFormatException(
          "model metadata key '" + key + "' has a bad value '" + v + "': " + e.getMessage(), e);
    }
  }
}
