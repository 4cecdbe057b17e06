package io.scorestream.trainer.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A CSV file that labels the images of a directory: a header naming at least the columns {@code
 * file} (an image's name in the directory) and {@code label} (its class, {@code 0..K-1}), and
 * optionally {@code split} ({@code train}, {@code test}, ...). Other columns are ignored. The class
 * count is the largest label of the whole file plus one, so every split of it agrees. Values are
 * plain (no quoted commas): the format of {@code ../shared/data/emoji/labels.csv}.
 */
final class LabelsFile {
  /**
   * One row.
   *
   * @param file the image's file name
   * @param label its class
   * @param split its split, or null when the file has no split column
   */
  record Row(String file, int label, String split) {}

  private final Path path;
  private final List<Row> rows;
  private final int classes;

  private LabelsFile(Path path, List<Row> rows, int classes) {
    this.path = path;
    this.rows = rows;
    this.classes = classes;
  }

  /** Reads {@code path}, refusing a missing column, a bad label or a file named twice by line. */
  static LabelsFile read(Path path) throws IOException {
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(path + " is empty; it needs a header: file,label[,split]");
    }
    List<String> header = Arrays.asList(lines.get(0).strip().split(",", -1));
    int file = header.indexOf("file");
    int label = header.indexOf("label");
    int split = header.indexOf("split");
    if (file < 0 || label < 0) {
      throw new IllegalArgumentException(
          path + "'s header " + header + " lacks " + (file < 0 ? "'file'" : "'label'"));
    }
    Map<String, Row> byFile = new LinkedHashMap<>();
    int max = -1;
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      String where = path.getFileName() + " line " + (i + 1);
      if (cells.length != header.size()) {
        throw new IllegalArgumentException(
            where + " has " + cells.length + " values, the header " + header.size());
      }
      int value;
      try {
        value = Integer.parseInt(cells[label].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            where + ": label '" + cells[label] + "' is not a whole number", e);
      }
      if (value < 0) {
        throw new IllegalArgumentException(where + ": label " + value + " is negative");
      }
      String name = cells[file].strip();
      Row row = new Row(name, value, split < 0 ? null : cells[split].strip());
      if (byFile.put(name, row) != null) {
        throw new IllegalArgumentException(where + " names " + name + " a second time");
      }
      max = Math.max(max, value);
    }
    if (byFile.isEmpty()) {
      throw new IllegalArgumentException(path + " labels no file");
    }
    return new LabelsFile(path, List.copyOf(byFile.values()), max + 1);
  }

  /** Number of classes: the largest label of the file plus one. */
  int classes() {
    return classes;
  }

  /** The rows of {@code split}, or every row when it is null; refuses a split no row has. */
  List<Row> rows(String split) {
    if (split == null) {
      return rows;
    }
    if (rows.get(0).split() == null) {
      throw new IllegalArgumentException(
          "split '" + split + "' asked for, but " + path + " has no split column");
    }
    List<Row> chosen = new ArrayList<>();
    TreeSet<String> known = new TreeSet<>();
    for (Row r : rows) {
      known.add(r.split());
      if (r.split().equals(split)) {
        chosen.add(r);
      }
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException(
          "no row of " + path + " is in split '" + split + "'; its splits: " + known);
    }
    return chosen;
  }

  /** The split names the file uses, in order (empty without a split column). */
  List<String> splits() {
    TreeSet<String> known = new TreeSet<>();
    for (Row r : rows) {
      if (r.split() != null) {
        known.add(r.split());
      }
    }
    return List.copyOf(known);
  }
}
