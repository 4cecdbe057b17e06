package io.scorestream.jobs;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Values anywhere in a message that this build cannot carry on: an enum number it does not know (a
 * newer client's, or noise; protobuf keeps it, and copying it into a builder throws) and a
 * timestamp outside protobuf's range (years 1 to 9999, nanos in [0, 1e9); printing it as JSON
 * throws). A record is checked once where it enters, and refused naming the field, so that no later
 * step meets such a value.
 */
public final class KnownValues {
  /** 0001-01-01T00:00:00Z, the earliest timestamp protobuf's JSON mapping prints. */
  static final long MIN_SECONDS = -62_135_596_800L;

  /** 9999-12-31T23:59:59Z, the latest. */
  static final long MAX_SECONDS = 253_402_300_799L;

  private KnownValues() {}

  /**
   * The first such value's problem, naming its field by its JSON path (e.g. {@code sampler.kind}).
   */
  public static Optional<Problem> problem(MessageOrBuilder message) {
    return find(message, "").map(p -> Problem.invalid(p.field(), p.message()));
  }

  private record Found(String field, String message) {}

  private static Optional<Found> find(MessageOrBuilder message, String path) {
    if (message instanceof Timestamp t && !valid(t)) {
      return Optional.of(
          new Found(
              path,
              path
                  + " is not a valid timestamp (seconds "
                  + t.getSeconds()
                  + ", nanos "
                  + t.getNanos()
                  + "): it must lie in years 1 to 9999, with nanos in [0, 999999999]"));
    }
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      String at = path.isEmpty() ? field.getJsonName() : path + "." + field.getJsonName();
      if (field.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        for (int i = 0; i < values.size(); i++) {
          Optional<Found> found =
              value(field, values.get(i), field.isMapField() ? at : at + "[" + i + "]");
          if (found.isPresent()) {
            return found;
          }
        }
      } else {
        Optional<Found> found = value(field, e.getValue(), at);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Found> value(FieldDescriptor field, Object value, String at) {
    if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
      EnumValueDescriptor v = (EnumValueDescriptor) value;
      if (v.getType().findValueByNumber(v.getNumber()) == null) {
        return Optional.of(
            new Found(
                at,
                at
                    + ": unknown value "
                    + v.getNumber()
                    + "; this build knows "
                    + v.getType().getValues().stream().map(EnumValueDescriptor::getName).toList()));
      }
    } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      return find((MessageOrBuilder) value, at);
    }
    return Optional.empty();
  }

  /**
   * A copy of the message without such values: each field that holds one is cleared (a repeated one
   * loses that element), so that a refused request can be repeated in its events for the reader's
   * context.
   */
  @SuppressWarnings("unchecked")
  public static <M extends Message> M stripped(M message) {
    if (find(message, "").isEmpty()) {
      return message;
    }
    Message.Builder b = message.toBuilder();
    strip(b);
    return (M) b.build();
  }

  private static void strip(Message.Builder b) {
    for (Map.Entry<FieldDescriptor, Object> e : b.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      if (field.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        b.clearField(field);
        for (Object v : values) {
          Object kept = keep(field, v);
          if (kept != null) {
            b.addRepeatedField(field, kept);
          }
        }
      } else {
        Object kept = keep(field, e.getValue());
        if (kept == null) {
          b.clearField(field);
        } else if (kept != e.getValue()) {
          b.setField(field, kept);
        }
      }
    }
  }

  /** The value itself, a stripped copy of a message, or null when it cannot be kept at all. */
  private static Object keep(FieldDescriptor field, Object value) {
    if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
      EnumValueDescriptor v = (EnumValueDescriptor) value;
      return v.getType().findValueByNumber(v.getNumber()) == null ? null : value;
    }
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE
        || find((MessageOrBuilder) value, "").isEmpty()) {
      return value;
    }
    if (value instanceof Timestamp) {
      return null;
    }
    Message.Builder nested = ((Message) value).toBuilder();
    strip(nested);
    return nested.build();
  }

  /** True for a timestamp protobuf's JSON mapping can print. */
  public static boolean valid(Timestamp t) {
    return t.getSeconds() >= MIN_SECONDS
        && t.getSeconds() <= MAX_SECONDS
        && t.getNanos() >= 0
        && t.getNanos() <= 999_999_999;
  }
}
