package io.scorestream.jobs;

/** A request that cannot be served, with the {@link Problem} that says why. */
public final class RequestException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient Problem problem;

  public RequestException(Problem problem) {
    super(problem.message());
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
