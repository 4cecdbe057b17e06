package io.scorestream.worker.kafka;

import com.google.protobuf.ByteString;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Dead letters of a bounded size, whatever the record they describe: a record near the size limit
 * copied whole into a dead letter, with the letter's own fields, would not fit a record, and the
 * worker that could not send it would stop, and every worker after it. The letter quotes the start
 * of the key and value, and names the whole value by size and SHA-256; the record itself stays on
 * its topic at the offset the letter gives.
 */
final class DeadLetters {
  /** The most bytes of a record's key a letter quotes. */
  static final int MAX_KEY_BYTES = 1024;

  /** The most bytes of a record's value a letter quotes. */
  static final int MAX_VALUE_BYTES = 64 * 1024;

  /** The longest reason a letter gives. */
  static final int MAX_REASON_CHARS = 2000;

  private DeadLetters() {}

  /** The letter for a record that cannot be served, for this reason. */
  static DeadLetter of(ConsumerRecord<String, byte[]> record, String reason) {
    byte[] key = record.key() == null ? new byte[0] : record.key().getBytes(StandardCharsets.UTF_8);
    byte[] value = record.value() == null ? new byte[0] : record.value();
    return DeadLetter.newBuilder()
        .setTopic(record.topic())
        .setPartition(record.partition())
        .setOffset(record.offset())
        .setKey(ByteString.copyFrom(key, 0, Math.min(key.length, MAX_KEY_BYTES)))
        .setValue(ByteString.copyFrom(value, 0, Math.min(value.length, MAX_VALUE_BYTES)))
        .setValueSize(value.length)
        .setValueSha256(RequestDigest.sha256Hex(value))
        .setReason(io.scorestream.jobs.Texts.cut(reason, MAX_REASON_CHARS, "..."))
        .setTime(Times.now())
        .build();
  }

  /**
   * The key a letter goes out under: the record's, cut to {@link #MAX_KEY_BYTES} characters at
   * most.
   */
  static String key(String recordKey) {
    return recordKey == null || recordKey.length() <= MAX_KEY_BYTES
        ? recordKey
        : io.scorestream.jobs.Texts.cut(recordKey, MAX_KEY_BYTES, "");
  }
}
