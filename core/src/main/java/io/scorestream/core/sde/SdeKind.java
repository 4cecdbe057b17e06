package io.scorestream.core.sde;

import java.util.Locale;

/** The SDE families of Song et al. (2021), named as in model metadata ({@code scorestream.sde}). */
public enum SdeKind {
  VE,
  VP,
  SUBVP;

  /** The metadata spelling: {@code ve}, {@code vp} or {@code subvp}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The SDE of this family on t in [0, 1]: VE with noise levels from {@code sigmaMin} to {@code
   * sigmaMax} (data units), VP and sub-VP with the linear schedule beta(t) from {@code betaMin} to
   * {@code betaMax} (Song et al. 2021, eqs. 9-11 and 34). Each family reads only its own pair.
   */
  public Sde create(double sigmaMin, double sigmaMax, double betaMin, double betaMax) {
    return switch (this) {
      case VE -> new VeSde(sigmaMin, sigmaMax, 1);
      case VP -> new VpSde(betaMin, betaMax, 1);
      case SUBVP -> new SubVpSde(betaMin, betaMax, 1);
    };
  }

  /** Parses the metadata spelling; throws naming the accepted values otherwise. */
  public static SdeKind parse(String value) {
    for (SdeKind kind : values()) {
      if (kind.key().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown SDE '" + value + "': expected ve, vp or subvp");
  }
}
