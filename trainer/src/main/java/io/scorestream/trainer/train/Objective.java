package io.scorestream.trainer.train;

import io.scorestream.core.model.ModelMetadata;
import java.util.Locale;
import java.util.Map;

/**
 * What training fits the network by, at the SDE's noise levels {@code x_t = m(t) x_0 + sigma(t) z}:
 * denoising score matching (Vincent 2011; Song et al. 2021, eq. 7), which uses the known Gaussian
 * kernel, or sliced score matching (Song, Garg, Shi and Ermon 2019), which does not. Both have the
 * score of {@code p_t} as their minimiser, so either trains a model every sampler serves.
 */
public sealed interface Objective {
  /** Denoising score matching: the network predicts the noise {@code z}. */
  Objective DENOISING = new Denoising();

  /** The objective's name on the command line. */
  String name();

  /** What a model's metadata says of it: the name and any parameters. */
  default String describe() {
    return name();
  }

  /** The note a trained model's metadata carries of it ({@code scorestream.train.objective}). */
  default Map<String, String> metadata() {
    return Map.of(ModelMetadata.TRAIN_OBJECTIVE, describe());
  }

  /** Denoising score matching. */
  record Denoising() implements Objective {
    @Override
    public String name() {
      return "dsm";
    }
  }

  /**
   * Sliced score matching with variance reduction, {@code E[v' grad_x s v + |s|^2 / 2]}, its
   * directional derivative taken by central finite differences (Pang et al. 2020, "Efficient
   * Learning of Generative Models via Finite-Difference Score Matching") so that ordinary
   * backpropagation suffices: see {@link SlicedScoreMatching}.
   *
   * @param projection how the random directions {@code v} are drawn ({@code E[v v'] = I} either
   *     way)
   * @param step the finite difference's half-width as a fraction of {@code sigma(t)}
   */
  record Sliced(Projection projection, double step) implements Objective {
    /** The half-width used when none is given: a tenth of the noise level. */
    public static final double DEFAULT_STEP = 0.1;

    public Sliced {
      if (!(step > 0 && step <= 1)) {
        throw new IllegalArgumentException(
            "the finite-difference step must be in (0, 1] of sigma(t), got " + step);
      }
    }

    @Override
    public String name() {
      return "ssm";
    }

    @Override
    public String describe() {
      return "ssm ("
          + projection.name().toLowerCase(Locale.ROOT)
          + " directions, finite-difference step "
          + step
          + " sigma)";
    }
  }

  /** How sliced score matching draws its directions. */
  enum Projection {
    /** Standard normal coordinates. */
    GAUSSIAN,
    /** Coordinates +1 or -1 with equal odds: the smallest variance of {@code v' A v}. */
    RADEMACHER;

    /** {@code gaussian} or {@code rademacher}, any case; the known names otherwise. */
    public static Projection parse(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "no projection '" + name + "'; known: gaussian, rademacher", e);
      }
    }
  }

  /** {@code dsm} or {@code ssm} (with {@code projection}); the known names otherwise. */
  static Objective parse(String name, Projection projection) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "dsm" -> DENOISING;
      case "ssm" -> new Sliced(projection, Sliced.DEFAULT_STEP);
      default -> throw new IllegalArgumentException("no objective '" + name + "'; known: dsm, ssm");
    };
  }
}
