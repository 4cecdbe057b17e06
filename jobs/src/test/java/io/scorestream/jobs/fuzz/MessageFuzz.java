package io.scorestream.jobs.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.scorestream.proto.v1.DType;
import io.scorestream.proto.v1.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;

/**
 * Seeded, structure-aware fuzzing of the messages a service reads. {@link #mutate} walks a valid
 * message's schema (every field, set or not, into nested messages, oneofs, repeated and map fields)
 * and gives one to four fields a hostile value of their type: enum numbers outside the set,
 * integers at 0, ±1 and the type's limits, NaN and infinities, strings empty, huge, with control
 * and bidirectional characters, tensors of every rank, dtype and a wrong byte length, timestamps
 * out of range. {@link #corrupt} damages the bytes of a valid record. The same seed gives the same
 * cases.
 */
public final class MessageFuzz {
  private static final List<String> STRINGS =
      List.of(
          "",
          "a",
          "gmm",
          "mix2d",
          " ",
          "..",
          ".",
          "a b",
          "x/y",
          "\u0000",
          "line\nbreak",
          "\r\n",
          "tab\there",
          "\u202Eevil\u202C",
          "\u200F\u200E",
          "caf\u00e9",
          "\uD83D\uDE00",
          "\uFFFF",
          "\u0085",
          "%s%n",
          "${jndi:x}",
          "<script>",
          "'; --",
          "\\",
          "\"quoted\"",
          "0",
          "-1",
          "NaN",
          "completed",
          "https://example.com/hook",
          "http://127.0.0.1:1/",
          "t",
          "ss_x");
  private final Random random;

  public MessageFuzz(long seed) {
    this.random = new Random(seed);
  }

  /** The generator behind every choice, for callers that pick among cases. */
  public Random random() {
    return random;
  }

  /** A copy of {@code base} with one to four fields given hostile values. */
  @SuppressWarnings("unchecked")
  public <M extends Message> M mutate(M base) {
    Message.Builder b = base.toBuilder();
    int mutations = 1 + random.nextInt(4);
    for (int i = 0; i < mutations; i++) {
      mutateOne(b, 0);
    }
    return (M) b.build();
  }

  private void mutateOne(Message.Builder b, int depth) {
    Descriptor type = b.getDescriptorForType();
    if (type.getFields().isEmpty()) {
      return;
    }
    FieldDescriptor f = type.getFields().get(random.nextInt(type.getFields().size()));
    boolean message = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
    if (message
        && !f.isRepeated()
        && depth < 5
        && random.nextInt(3) > 0
        && !special(f.getMessageType())) {
      mutateOne(
          b.getFieldBuilder(f), depth + 1); // deeper into a nested message, setting it if unset
      return;
    }
    if (f.isRepeated()) {
      int action = random.nextInt(4);
      if (action == 0) {
        b.clearField(f);
        return;
      }
      int n = action == 1 ? 1 : random.nextInt(action == 2 ? 4 : 70);
      for (int i = 0; i < n; i++) {
        b.addRepeatedField(f, value(b, f, depth));
      }
      return;
    }
    b.setField(f, value(b, f, depth));
  }

  private static boolean special(Descriptor type) {
    return type.equals(Tensor.getDescriptor()) || type.equals(Timestamp.getDescriptor());
  }

  private Object value(Message.Builder parent, FieldDescriptor f, int depth) {
    return switch (f.getJavaType()) {
      case INT -> hostileInt();
      case LONG -> hostileLong();
      case FLOAT -> (float) hostileDouble();
      case DOUBLE -> hostileDouble();
      case BOOLEAN -> random.nextBoolean();
      case STRING -> hostileString();
      case BYTE_STRING -> hostileBytes();
      case ENUM ->
          f.getEnumType()
              .findValueByNumberCreatingIfUnknown(hostileEnum(f.getEnumType().getValues().size()));
      case MESSAGE -> message(parent, f, depth);
    };
  }

  private Message message(Message.Builder parent, FieldDescriptor f, int depth) {
    Descriptor type = f.getMessageType();
    if (type.equals(Tensor.getDescriptor())) {
      return tensor();
    }
    if (type.equals(Timestamp.getDescriptor())) {
      return timestamp();
    }
    Message.Builder fresh = parent.newBuilderForField(f);
    int fields = random.nextInt(3);
    for (int i = 0; i < fields && depth < 5; i++) {
      mutateOne(fresh, depth + 1);
    }
    return fresh.build();
  }

  private int hostileEnum(int known) {
    return switch (random.nextInt(4)) {
      case 0 -> random.nextInt(known);
      case 1 -> known + random.nextInt(100);
      case 2 -> -1 - random.nextInt(5);
      default -> random.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    };
  }

  public int hostileInt() {
    return switch (random.nextInt(8)) {
      case 0 -> 0;
      case 1 -> 1;
      case 2 -> -1;
      case 3 -> Integer.MAX_VALUE;
      case 4 -> Integer.MIN_VALUE;
      case 5 -> random.nextInt(50) - 5;
      case 6 -> 1 << random.nextInt(31);
      default -> random.nextInt();
    };
  }

  public long hostileLong() {
    return switch (random.nextInt(7)) {
      case 0 -> 0L;
      case 1 -> -1L;
      case 2 -> Long.MAX_VALUE;
      case 3 -> Long.MIN_VALUE;
      case 4 -> random.nextInt(50) - 5;
      case 5 -> 1L << random.nextInt(63);
      default -> random.nextLong();
    };
  }

  public double hostileDouble() {
    return switch (random.nextInt(11)) {
      case 0 -> 0.0;
      case 1 -> -0.0;
      case 2 -> Double.NaN;
      case 3 -> Double.POSITIVE_INFINITY;
      case 4 -> Double.NEGATIVE_INFINITY;
      case 5 -> Double.MAX_VALUE;
      case 6 -> Double.MIN_VALUE;
      case 7 -> -1.0;
      case 8 -> 1e300 * (random.nextBoolean() ? 1 : -1);
      case 9 -> random.nextDouble();
      default -> random.nextGaussian() * 100;
    };
  }

  /**
   * Empty, short, huge, control and bidirectional characters, lone surrogates, names of other
   * things.
   */
  public String hostileString() {
    return switch (random.nextInt(6)) {
      case 0 -> STRINGS.get(random.nextInt(STRINGS.size()));
      case 1 ->
          "x"
              .repeat(
                  random.nextInt(50) == 0
                      ? 100_000 + random.nextInt(200_000)
                      : 100 + random.nextInt(1000));
      case 2 -> {
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(40);
        for (int i = 0; i < n; i++) {
          // any code point but a lone surrogate half, which no record on the wire can carry (its
          // UTF-8 has none)
          int c = random.nextInt(0x110000);
          s.appendCodePoint(c >= 0xD800 && c <= 0xDFFF ? 0xFFFD : c);
        }
        yield s.toString();
      }
      case 3 ->
          STRINGS.get(random.nextInt(STRINGS.size())) + STRINGS.get(random.nextInt(STRINGS.size()));
      default -> "fz-" + Integer.toHexString(random.nextInt());
    };
  }

  public ByteString hostileBytes() {
    int n =
        switch (random.nextInt(4)) {
          case 0 -> 0;
          case 1 -> random.nextInt(16);
          case 2 -> random.nextInt(4096);
          default -> random.nextInt(40) == 0 ? 1 << 20 : random.nextInt(100);
        };
    byte[] b = new byte[n];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  /**
   * A tensor of any rank, dtype (known or not) and shape, with the right byte length or a wrong
   * one.
   */
  public Tensor tensor() {
    Tensor.Builder t = Tensor.newBuilder();
    int rank = random.nextInt(6);
    long elements = 1;
    for (int i = 0; i < rank; i++) {
      long d =
          switch (random.nextInt(7)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 2;
            case 3 -> -1 - random.nextInt(3);
            case 4 -> 1L << (20 + random.nextInt(43));
            default -> 1 + random.nextInt(32);
          };
      t.addShape(d);
      elements =
          d <= 0 ? elements : d > (1L << 21) / elements ? 1L << 21 : elements * d; // no overflow
    }
    int dtype = random.nextInt(9) - 1;
    t.setDtypeValue(dtype);
    int width =
        dtype == DType.FLOAT64_VALUE || dtype == DType.INT64_VALUE
            ? 8
            : dtype == DType.UINT8_VALUE ? 1 : 4;
    long right = Math.min(elements * width, 1 << 20);
    long bytes =
        switch (random.nextInt(4)) {
          case 0, 1 -> right;
          case 2 -> Math.max(0, right + random.nextInt(9) - 4);
          default -> random.nextInt(64);
        };
    byte[] data = new byte[(int) bytes];
    if (random.nextBoolean()) {
      random.nextBytes(data); // NaN and infinite floats among them
    }
    return t.setData(ByteString.copyFrom(data)).build();
  }

  /** A timestamp in range, at its edges, or outside it. */
  public Timestamp timestamp() {
    return switch (random.nextInt(5)) {
      case 0 -> Timestamp.newBuilder().setSeconds(1_700_000_000L + random.nextInt(1000)).build();
      case 1 -> Timestamp.newBuilder().setSeconds(hostileLong()).setNanos(hostileInt()).build();
      case 2 -> Timestamp.newBuilder().setSeconds(-62_135_596_800L - random.nextInt(2)).build();
      case 3 -> Timestamp.newBuilder().setSeconds(253_402_300_799L + random.nextInt(2)).build();
      default -> Timestamp.newBuilder().setNanos(random.nextBoolean() ? -1 : 1_000_000_000).build();
    };
  }

  /** The bytes of a valid record, damaged: flipped, cut short, grown, spliced or replaced. */
  public byte[] corrupt(byte[] valid) {
    byte[] b = valid.clone();
    switch (random.nextInt(6)) {
      case 0 -> {
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips && b.length > 0; i++) {
          b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> b = Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
      case 2 -> {
        byte[] tail = new byte[1 + random.nextInt(64)];
        random.nextBytes(tail);
        byte[] grown = Arrays.copyOf(b, b.length + tail.length);
        System.arraycopy(tail, 0, grown, b.length, tail.length);
        b = grown;
      }
      case 3 -> {
        if (b.length > 2) { // a slice repeated: fields given twice, lengths that lie
          int from = random.nextInt(b.length - 1);
          int to = from + 1 + random.nextInt(b.length - from - 1);
          byte[] spliced = new byte[b.length + to - from];
          System.arraycopy(b, 0, spliced, 0, to);
          System.arraycopy(b, from, spliced, to, b.length - from);
          b = spliced;
        }
      }
      case 4 -> {
        b = new byte[random.nextInt(200)];
        random.nextBytes(b);
      }
      default -> {
        for (int i = 0; i < b.length; i++) {
          if (random.nextInt(16) == 0) {
            b[i] = (byte) random.nextInt(256);
          }
        }
      }
    }
    return b;
  }

  /** A JSON text, damaged as a hostile client would send it. */
  public String corruptJson(String json) {
    String s = new String(corrupt(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    return switch (random.nextInt(5)) {
      case 0 -> s;
      case 1 -> json.replaceFirst("\\d+", random.nextBoolean() ? "1e400" : "-99999999999999999999");
      case 2 ->
          json.replaceFirst(
              "\"[a-zA-Z]+\"",
              Matcher.quoteReplacement(
                  "\"" + hostileString().replace("\\", "").replace("\"", "") + "\""));
      case 3 -> "[" + json + "]";
      default -> json.substring(0, random.nextInt(json.length() + 1));
    };
  }
}
