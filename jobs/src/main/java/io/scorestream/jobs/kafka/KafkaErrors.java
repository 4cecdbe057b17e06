package io.scorestream.jobs.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Which tier a failed send belongs to, by what failed rather than where it surfaced. Retriable
 * errors never reach a callback: the idempotent producer retries them until its delivery timeout,
 * and a timeout is the cluster's fault. What is left is either one record's fault (its topic name,
 * its size, its bytes: that record fails, the service goes on) or the client's (authorisation,
 * fencing, a closed producer: the service stops, saying why).
 */
public final class KafkaErrors {
  private KafkaErrors() {}

  /** True when Kafka refused this one record for what it is, and any other record may still go. */
  public static boolean recordFault(Throwable e) {
    Throwable c =
        (e instanceof ExecutionException || e instanceof CompletionException)
                && e.getCause() != null
            ? e.getCause()
            : e;
    return c instanceof InvalidTopicException
        || c instanceof RecordTooLargeException
        || c instanceof RecordBatchTooLargeException
        || c instanceof InvalidRecordException
        || c instanceof SerializationException;
  }
}
