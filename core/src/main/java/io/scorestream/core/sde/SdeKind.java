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
