package io.scorestream.testkit.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.simple.SimpleServiceProvider;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The test JVM's SLF4J provider ({@code -Dslf4j.provider=...}): slf4j-simple's, each logger wrapped
 * so that {@link LogRecords} sees what it logs.
 */
public final class RecordingServiceProvider implements SLF4JServiceProvider {
  private final SimpleServiceProvider printing = new SimpleServiceProvider();
  private ILoggerFactory factory;

  @Override
  public void initialize() {
    printing.initialize();
    factory = new RecordingLoggerFactory(printing.getLoggerFactory());
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return printing.getMarkerFactory();
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return printing.getMDCAdapter();
  }

  @Override
  public String getRequestedApiVersion() {
    return printing.getRequestedApiVersion();
  }
}
