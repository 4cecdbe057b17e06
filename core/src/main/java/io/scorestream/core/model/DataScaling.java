package io.scorestream.core.model;

import java.util.Locale;

/**
 * How model space maps to data space ({@code scorestream.data.scaling}): {@code identity}, or
 * {@code centered}, where data in [0, 1] is modelled in [-1, 1] (the reference code's {@code
 * data.centered}).
 */
public enum DataScaling {
  IDENTITY,
  CENTERED;

  /** Model space to data space. */
  public double toData(double x) {
    return this == CENTERED ? (x + 1) / 2 : x;
  }

  /** Data space to model space. */
  public double toModel(double x) {
    return this == CENTERED ? 2 * x - 1 : x;
  }

  /** The metadata spelling. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the metadata spelling; throws naming the accepted values otherwise. */
  public static DataScaling parse(String value) {
    for (DataScaling s : values()) {
      if (s.key().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown data scaling '" + value + "': expected identity or centered");
  }
}
