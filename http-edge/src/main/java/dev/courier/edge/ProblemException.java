package dev.courier.edge;

/** Carries a {@link Problem} out of request parsing to the one place that writes it. */
public final class ProblemException extends RuntimeException {
  private final transient Problem problem;
  private final int retryAfterSeconds;

  public ProblemException(Problem problem) {
    this(problem, 0);
  }

  public ProblemException(Problem problem, int retryAfterSeconds) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public Problem problem() {
    return problem;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
