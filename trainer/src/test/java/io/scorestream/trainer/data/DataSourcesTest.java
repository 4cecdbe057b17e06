package io.scorestream.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.formats.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every source reads what it says, with shape, range and labels, and refuses broken input naming
 * the file.
 */
class DataSourcesTest {
  /** The project's MNIST subset (8,000 train and 2,000 test digits). */
  static final Path MNIST = Path.of("..", "..", "shared", "data", "mnist");

  @Test
  void mnistReadsEveryDigitWithItsLabelInTheUnitRange() throws IOException {
    DataSource train = DataSources.mnist(MNIST, "train");
    assertArrayEquals(new int[] {1, 28, 28}, train.shape());
    assertEquals(10, train.numClasses());
    int[] perLabel = new int[10];
    double sum = 0;
    int n = 0;
    for (Iterator<DataSource.Example> it = train.examples(); it.hasNext(); n++) {
      DataSource.Example e = it.next();
      perLabel[(int) e.label().getAsLong()]++;
      for (float v : e.x()) {
        assertTrue(v >= 0 && v <= 1);
        sum += v;
      }
    }
    assertEquals(8000, n);
    for (int c : perLabel) {
      assertTrue(
          c > 600 && c < 1000,
          "every digit about a tenth of the set: " + Arrays.toString(perLabel));
    }
    // MNIST's mean pixel is 0.1307; a random 8,000 of its digits lands within a few thousandths
    assertEquals(0.1307, sum / (n * 784.0), 0.005);
    assertEquals("mnist test (2000 digits)", DataSources.mnist(MNIST, "test").describe());
  }

  @Test
  void brokenMnistFilesAreRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    byte[] images;
    try (var in =
        new GZIPInputStream(Files.newInputStream(MNIST.resolve("t10k-images-idx3-ubyte.gz")))) {
      images = in.readAllBytes();
    }
    Files.copy(
        MNIST.resolve("t10k-labels-idx1-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), Arrays.copyOf(images, images.length - 100));
    IOException cut = assertThrows(IOException.class, () -> DataSources.mnist(dir, "test"));
    assertTrue(
        cut.getMessage().contains("t10k-images-idx3-ubyte") && cut.getMessage().contains("short"),
        cut.getMessage());
    images[3] = 1; // magic 2049: a labels file where images should be
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), images);
    assertTrue(
        assertThrows(IOException.class, () -> DataSources.mnist(dir, "test"))
            .getMessage()
            .contains("magic"));
    assertTrue(
        assertThrows(IOException.class, () -> DataSources.mnist(dir, "train"))
            .getMessage()
            .contains("no train-images"));
  }

  @Test
  void npyRowsAreExamples(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("points.npy");
    Npy.write(file, new float[] {1, 2, 3, 4, 5, 6}, 3, new int[] {2});
    DataSource s = DataSources.npy(file);
    assertArrayEquals(new int[] {2}, s.shape());
    Iterator<DataSource.Example> it = s.examples();
    it.next();
    assertArrayEquals(new float[] {3, 4}, it.next().x());
    Npy.write(dir.resolve("flat.npy"), new float[] {1, 2}, 2, new int[0]);
    assertTrue(
        assertThrows(IOException.class, () -> DataSources.npy(dir.resolve("flat.npy")))
            .getMessage()
            .contains("[N, ...example shape]"));
  }

  private static void png(Path file, int width, int height, int grey) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setSample(1, 1, 0, grey);
    Files.createDirectories(file.getParent());
    ImageIO.write(image, "png", file.toFile());
  }

  @Test
  void aDirectoryOfClassDirectoriesGivesLabelledGreyImages(@TempDir Path dir) throws IOException {
    png(dir.resolve("cats/a.png"), 4, 3, 255);
    png(dir.resolve("cats/b.png"), 4, 3, 51);
    png(dir.resolve("dogs/c.png"), 4, 3, 0);
    DataSource s = DataSources.pngDirectory(dir);
    assertArrayEquals(new int[] {1, 3, 4}, s.shape());
    assertEquals(2, s.numClasses());
    Iterator<DataSource.Example> it = s.examples();
    DataSource.Example a = it.next();
    assertEquals(
        1f, a.x()[1 * 4 + 1], 1e-6, "grey values as stored, not through a colour conversion");
    assertEquals(0, a.label().getAsLong());
    assertEquals(0.2f, it.next().x()[5], 1e-6);
    assertEquals(1, it.next().label().getAsLong());
    png(dir.resolve("dogs/d.png"), 5, 3, 0);
    Iterator<DataSource.Example> again = DataSources.pngDirectory(dir).examples();
    again.next();
    again.next();
    again.next();
    assertTrue(
        assertThrows(IllegalArgumentException.class, again::next).getMessage().contains("d.png"));
  }

  @Test
  void aLabelsFileNamesTheImagesTheirClassesAndTheirSplit(@TempDir Path dir) throws IOException {
    Path images = dir.resolve("images");
    png(images.resolve("b.png"), 4, 3, 51);
    png(images.resolve("a.png"), 4, 3, 255);
    png(images.resolve("c.png"), 4, 3, 0);
    png(images.resolve("unlisted.png"), 4, 3, 0);
    Path labels = dir.resolve("labels.csv");
    Files.writeString(
        labels, "file,label,name,split\nb.png,4,bee,train\na.png,1,ant,test\nc.png,0,cat,train\n");

    DataSource train = DataSources.pngDirectory(images, labels, "train");
    assertEquals(5, train.numClasses(), "the largest label of the whole file, plus one");
    Iterator<DataSource.Example> it = train.examples();
    DataSource.Example b = it.next();
    assertEquals(4, b.label().getAsLong(), "in file name order: b before c");
    assertEquals(0.2f, b.x()[5], 1e-6);
    assertEquals(0, it.next().label().getAsLong());
    assertTrue(!it.hasNext(), "the test row and the unlisted image are not in the train split");
    DataSource test = DataSources.pngDirectory(images, labels, "test");
    assertEquals(5, test.numClasses(), "every split has the file's classes");
    assertEquals(1, test.examples().next().label().getAsLong());
    assertEquals(3, count(DataSources.pngDirectory(images, labels, null)));
    assertEquals(List.of("test", "train"), DataSources.splitsOf(labels));
  }

  @Test
  void aBrokenLabelsFileIsRefusedSayingWhatIsWrong(@TempDir Path dir) throws IOException {
    png(dir.resolve("a.png"), 4, 3, 0);
    Path labels = dir.resolve("labels.csv");
    String[][] cases = {
      {"file,class\na.png,1\n", "lacks 'label'"},
      {"name,label\na.png,1\n", "lacks 'file'"},
      {"file,label\na.png,one\n", "line 2: label 'one' is not a whole number"},
      {"file,label\na.png,-1\n", "line 2: label -1 is negative"},
      {"file,label\na.png,1\na.png,2\n", "line 3 names a.png a second time"},
      {"file,label\na.png,1,extra\n", "line 2 has 3 values, the header 2"},
      {"file,label\nb.png,1\n", "names b.png, not in"},
      {"file,label\n", "labels no file"},
    };
    for (String[] c : cases) {
      Files.writeString(labels, c[0]);
      Exception e =
          assertThrows(Exception.class, () -> DataSources.pngDirectory(dir, labels, null), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
    Files.writeString(labels, "file,label,split\na.png,1,train\n");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> DataSources.pngDirectory(dir, labels, "test"))
            .getMessage()
            .contains("no row of " + labels + " is in split 'test'; its splits: [train]"));
    Files.writeString(labels, "file,label\na.png,1\n");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> DataSources.pngDirectory(dir, labels, "train"))
            .getMessage()
            .contains("has no split column"));
  }

  private static int count(DataSource s) {
    int n = 0;
    for (Iterator<DataSource.Example> it = s.examples(); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  @Test
  void builtinsAreEndlessAndNamed() {
    DataSource glyphs = DataSources.builtin("glyphs", 3);
    assertArrayEquals(new int[] {1, 28, 28}, glyphs.shape());
    assertEquals(8, glyphs.numClasses());
    DataSource moons = DataSources.builtin("moons", 3);
    assertArrayEquals(new int[] {2}, moons.shape());
    Iterator<DataSource.Example> it = moons.examples();
    for (int i = 0; i < 10_000; i++) {
      assertEquals(2, it.next().x().length);
    }
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> DataSources.builtin("spirals", 1))
            .getMessage()
            .contains("glyphs"));
  }
}
