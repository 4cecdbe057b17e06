package io.scorestream.jobs.kafka;

import com.google.protobuf.ByteString;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.CheckpointPart;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Utils;

/**
 * How a checkpoint too large for one record travels on {@code scorestream.checkpoints}: cut into
 * {@link CheckpointPart}s keyed {@code NAME@VERSION#INDEX}, all in the partition of the model's
 * name and followed there by the {@link CheckpointEvent} that names their count, so a reader meets
 * every part before the event that completes them. {@link Assembly} is the reader's side.
 */
public final class CheckpointParts {
  /**
   * Bytes of model per part by default: under the 1 MiB ({@code message.max.bytes}) of a broker
   * left at its defaults, with room for the record's key and framing, so the checkpoints topic
   * works on clusters that did not raise it.
   */
  public static final int DEFAULT_PART_BYTES = 960 * 1024;

  private CheckpointParts() {}

  /** The key of one part. */
  public static String key(String model, String version, int index) {
    return model + "@" + version + "#" + index;
  }

  /** True for the key of a part (a model name holds neither '@' nor '#'). */
  public static boolean isPart(String key) {
    return key != null && key.indexOf('@') >= 0;
  }

  /** The model a part's key belongs to. */
  public static String modelOf(String partKey) {
    return partKey.substring(0, partKey.indexOf('@'));
  }

  /**
   * The partition that every record of a model goes to: the producer's own choice for the model's
   * name.
   */
  public static int partition(String model, int partitions) {
    return Utils.toPositive(Utils.murmur2(model.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The parts of a model's bytes, each at most {@code partBytes} long. */
  public static List<CheckpointPart> split(
      String model, String version, byte[] onnx, int partBytes) {
    if (partBytes < 1) {
      throw new IllegalArgumentException("a part holds at least one byte, not " + partBytes);
    }
    int count = (onnx.length + partBytes - 1) / partBytes;
    List<CheckpointPart> parts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * partBytes;
      parts.add(
          CheckpointPart.newBuilder()
              .setModelName(model)
              .setVersion(version)
              .setIndex(i)
              .setCount(count)
              .setData(ByteString.copyFrom(onnx, from, Math.min(partBytes, onnx.length - from)))
              .build());
    }
    return parts;
  }

  /**
   * Gathers parts as a reader meets them and joins them when their event comes. It holds the parts
   * of one version per model: a part of another version drops those held (a trainer writes one
   * version at a time, so they belonged to a version it never finished), and a tombstone drops the
   * part it deletes, so what it holds stays bounded by one model file per model.
   */
  public static final class Assembly {
    private final Map<String, Pending> pending = new HashMap<>();

    private record Pending(String version, int count, TreeMap<Integer, byte[]> parts) {}

    /** Takes a part; returns a reason when it drops parts held for another version, else null. */
    public String part(CheckpointPart part) {
      Pending held = pending.get(part.getModelName());
      String dropped = null;
      if (held != null
          && (!held.version().equals(part.getVersion()) || held.count() != part.getCount())) {
        dropped =
            "dropped "
                + held.parts().size()
                + " parts of "
                + part.getModelName()
                + ":"
                + held.version()
                + ", which never completed";
        held = null;
      }
      if (held == null) {
        held = new Pending(part.getVersion(), part.getCount(), new TreeMap<>());
        pending.put(part.getModelName(), held);
      }
      held.parts().put(part.getIndex(), part.getData().toByteArray());
      return dropped;
    }

    /** A part's key was deleted. */
    public void tombstone(String partKey) {
      String model = modelOf(partKey);
      Pending held = pending.get(model);
      if (held != null) {
        String rest = partKey.substring(model.length() + 1);
        int hash = rest.lastIndexOf('#');
        if (hash > 0 && rest.substring(0, hash).equals(held.version())) {
          try {
            held.parts().remove(Integer.parseInt(rest.substring(hash + 1)));
          } catch (NumberFormatException e) {
            // not a key this class wrote: nothing held under it
          }
        }
      }
    }

    /**
     * Joins the parts an event names and checks them against its size and digest.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public byte[] complete(CheckpointEvent event) {
      Pending held = pending.get(event.getModelName());
      String what = event.getModelName() + ":" + event.getVersion();
      if (held == null || !held.version().equals(event.getVersion())) {
        throw new IllegalArgumentException(
            what + " is in " + event.getParts() + " parts, and none of them was read");
      }
      pending.remove(event.getModelName());
      if (held.count() != event.getParts() || held.parts().size() != event.getParts()) {
        throw new IllegalArgumentException(
            what
                + " is in "
                + event.getParts()
                + " parts, and "
                + held.parts().size()
                + " of them were read");
      }
      ByteArrayOutputStream joined =
          new ByteArrayOutputStream(
              (int) Math.min(Integer.MAX_VALUE - 8, Math.max(0, event.getSizeBytes())));
      held.parts().values().forEach(joined::writeBytes);
      byte[] onnx = joined.toByteArray();
      if (onnx.length != event.getSizeBytes()) {
        throw new IllegalArgumentException(
            what
                + "'s parts join to "
                + onnx.length
                + " bytes, not the "
                + event.getSizeBytes()
                + " it names");
      }
      if (!event.getSha256().equalsIgnoreCase(RequestDigest.sha256Hex(onnx))) {
        throw new IllegalArgumentException(what + "'s parts do not match its sha256");
      }
      return onnx;
    }

    /** Bytes held in parts not yet complete. */
    public long heldBytes() {
      return pending.values().stream()
          .flatMap(p -> p.parts().values().stream())
          .mapToLong(b -> b.length)
          .sum();
    }
  }
}
