package io.scorestream.gateway.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

/**
 * The protobuf JSON mapping the API speaks: an HTTP body and a Kafka record are the same message.
 */
final class ProtoJson {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private ProtoJson() {}

  static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("no Any fields in these messages: " + e.getMessage(), e);
    }
  }

  /** Parses JSON into a builder; unknown fields are refused, naming them. */
  static <B extends Message.Builder> B parse(String json, B builder)
      throws InvalidProtocolBufferException {
    PARSER.merge(json, builder);
    return builder;
  }
}
