package io.scorestream.core.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class CoreUsesProtobuf {
  com.google.protobuf.ByteString bytes;
}
