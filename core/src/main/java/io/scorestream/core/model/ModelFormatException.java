package io.scorestream.core.model;

/** A model file that breaks the ScoreStream model contract; the message names what is wrong. */
public class ModelFormatException extends RuntimeException {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
