package io.scorestream.jobs.formats;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * One image read from PNG bytes as data in [0, 1], channel-first: {@code [1, H, W]} for a grey
 * image, {@code [3, H, W]} for a colour one (alpha is dropped). The inputs of inverse problems: a
 * grey picture to colour, a digit to complete.
 *
 * @param channels 1 or 3
 * @param values {@code channels * height * width} values in [0, 1]
 */
public record PngImage(int channels, int height, int width, float[] values) {
  /** The most pixels an image may have (a 4096 x 4096 picture). */
  public static final long MAX_PIXELS = 4096L * 4096;

  /**
   * Decodes PNG (or any format ImageIO reads) bytes; throws IllegalArgumentException saying what is
   * wrong.
   */
  public static PngImage decode(byte[] bytes) {
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new IllegalArgumentException("not a readable image: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new IllegalArgumentException("not a PNG image");
    }
    long pixels = (long) image.getWidth() * image.getHeight();
    if (pixels > MAX_PIXELS) {
      throw new IllegalArgumentException(
          "the image has " + pixels + " pixels, more than " + MAX_PIXELS);
    }
    int h = image.getHeight();
    int w = image.getWidth();
    boolean grey = image.getColorModel().getNumColorComponents() == 1;
    int c = grey ? 1 : 3;
    float[] v = new float[c * h * w];
    int plane = h * w;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = y * w + x;
        if (grey) {
          v[p] =
              image.getRaster().getSample(x, y, 0)
                  / (float) ((1 << image.getColorModel().getComponentSize(0)) - 1);
        } else {
          int rgb = image.getRGB(x, y);
          v[p] = ((rgb >> 16) & 0xff) / 255f;
          v[plane + p] = ((rgb >> 8) & 0xff) / 255f;
          v[2 * plane + p] = (rgb & 0xff) / 255f;
        }
      }
    }
    return new PngImage(c, h, w, v);
  }

  /**
   * The image as grey levels {@code [H, W]}: itself when grey, else the mean of its three channels.
   */
  public float[] grey() {
    if (channels == 1) {
      return values.clone();
    }
    int plane = height * width;
    float[] out = new float[plane];
    for (int p = 0; p < plane; p++) {
      out[p] = (values[p] + values[plane + p] + values[2 * plane + p]) / 3;
    }
    return out;
  }
}
