package io.scorestream.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The toy distributions have the structure their definitions give them, checked on seeded samples:
 * exact properties for every point, means within four standard errors of their closed forms.
 */
class Toy2dTest {
  private static final int N = 20_000;

  @Test
  void theSameSeedDrawsTheSamePointsAndAnotherSeedOthers() {
    for (Toy2d t : Toy2d.values()) {
      assertArrayEquals(t.sample(100, 5), t.sample(100, 5), t.key());
      assertFalse(Arrays.equals(t.sample(100, 5), t.sample(100, 6)), t.key());
    }
  }

  @Test
  void moonsHaveTheMeanOfTheirTwoHalfCircles() {
    // outer half circle: E[(cos, sin)] = (0, 2/pi); inner: (1, 1/2 - 2/pi); half each; then 2x +
    // (-1, -0.2)
    float[] p = Toy2d.MOONS.sample(N, 1);
    double mx = 0;
    double my = 0;
    for (int i = 0; i < N; i++) {
      mx += p[2 * i] / N;
      my += p[2 * i + 1] / N;
    }
    // per-coordinate standard deviation below 1.5, so four standard errors are under 0.05
    assertEquals(0.0, mx, 4 * 1.5 / Math.sqrt(N));
    assertEquals(0.3, my, 4 * 1.5 / Math.sqrt(N));
  }

  @Test
  void eightGaussiansLieAroundEightCentresOfRadiusTwoRootTwo() {
    float[] p = Toy2d.EIGHT_GAUSSIANS.sample(N, 2);
    int[] counts = new int[8];
    double radius = 4 / Math.sqrt(2);
    for (int i = 0; i < N; i++) {
      double angle = Math.atan2(p[2 * i + 1], p[2 * i]);
      int k = Math.floorMod((int) Math.round(angle / (2 * Math.PI / 8)), 8);
      double cx = radius * Math.cos(2 * Math.PI * k / 8);
      double cy = radius * Math.sin(2 * Math.PI * k / 8);
      // each coordinate has standard deviation 0.5 / sqrt 2; 8 of them is out of reach of 20,000
      // draws
      assertTrue(
          Math.hypot(p[2 * i] - cx, p[2 * i + 1] - cy) < 8 * 0.5 / Math.sqrt(2), "point " + i);
      counts[k]++;
    }
    for (int c : counts) { // a binomial(N, 1/8): standard deviation about 47
      assertEquals(N / 8.0, c, 4 * Math.sqrt(N / 8.0 * 7 / 8));
    }
  }

  @Test
  void checkerboardPointsAllFallOnTheBlackSquares() {
    float[] p = Toy2d.CHECKERBOARD.sample(N, 3);
    for (int i = 0; i < N; i++) {
      double x = p[2 * i];
      double y = p[2 * i + 1];
      assertTrue(x >= -4 && x < 4 && y >= -4 && y < 4, "inside the board: " + x + ", " + y);
      assertEquals(
          0, Math.floorMod((int) Math.floor(x / 2) - (int) Math.floor(y / 2), 2), "a black square");
    }
  }

  @Test
  void ringsLieNearFourRadii() {
    float[] p = Toy2d.RINGS.sample(N, 4);
    for (int i = 0; i < N; i++) {
      double r = Math.hypot(p[2 * i], p[2 * i + 1]);
      double nearest = 0.75 * Math.max(1, Math.min(4, Math.round(r / 0.75)));
      assertTrue(Math.abs(r - nearest) < 8 * 0.08, "radius " + r);
    }
  }

  @Test
  void theSwissRollStaysWithinItsSpiral() {
    float[] p = Toy2d.SWISSROLL.sample(N, 5);
    double maxRadius =
        4.5 * Math.PI / 5; // t at most 4.5 pi, divided by 5; noise 1/5 per coordinate
    for (int i = 0; i < N; i++) {
      assertTrue(
          Math.hypot(p[2 * i], p[2 * i + 1]) < maxRadius + 8 * 0.2 * Math.sqrt(2), "point " + i);
    }
  }

  @Test
  void namesParseAndAnUnknownOneListsTheKnown() {
    assertEquals(Toy2d.EIGHT_GAUSSIANS, Toy2d.parse("8gaussians"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Toy2d.parse("spirals"))
            .getMessage()
            .contains("moons"));
  }

  @Test
  void glyphImagesAreRepeatableLabelledAndInTheUnitRange() {
    GlyphImages.Example a = GlyphImages.draw(28, 9, 17);
    assertArrayEquals(a.pixels(), GlyphImages.draw(28, 9, 17).pixels());
    int[] labels = new int[8];
    for (int i = 0; i < 800; i++) {
      GlyphImages.Example e = GlyphImages.draw(28, 9, i);
      labels[e.label()]++;
      double ink = 0;
      for (float v : e.pixels()) {
        assertTrue(v >= 0 && v <= 1);
        ink += v;
      }
      assertTrue(ink > 20 && ink < 600, "a glyph, neither empty nor filled: " + ink);
    }
    for (int c : labels) { // binomial(800, 1/8): standard deviation about 9.4
      assertEquals(100, c, 4 * Math.sqrt(800 / 8.0 * 7 / 8));
    }
  }
}
