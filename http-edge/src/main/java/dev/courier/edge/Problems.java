package dev.courier.edge;

import dev.courier.port.InvalidRequest;
import dev.courier.port.Overload;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.ExpectedWebSocketRequestRejection;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become answers: every exception and rejection turns into an
 * application/problem+json response with the right status. A client's mistake is never a 5xx.
 */
public final class Problems {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  private static final ContentType.NonBinary PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset(
              "problem+json", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8)
          .toContentType();

  private Problems() {}

  public static HttpResponse response(Problem problem) {
    return HttpResponse.create()
        .withStatus(problem.status())
        .withEntity(HttpEntities.create(PROBLEM_JSON, Json.write(problem)));
  }

  public static HttpResponse response(Problem problem, int retryAfterSeconds) {
    HttpResponse response = response(problem);
    return retryAfterSeconds > 0
        ? response.addHeader(RetryAfter.create((long) retryAfterSeconds))
        : response;
  }

  public static HttpResponse notFound(String what, String name) {
    return response(Problem.of(404, "Not found", what + " '" + name + "' does not exist"));
  }

  /**
   * 401 for a missing, invalid or expired token, with the {@code WWW-Authenticate} challenge of RFC
   * 6750 ({@code error="invalid_token"} once a token was sent). The detail never quotes the token.
   */
  public static HttpResponse unauthorized(String detail, boolean tokenSent) {
    String challenge =
        tokenSent ? "Bearer realm=\"courier\", error=\"invalid_token\"" : "Bearer realm=\"courier\"";
    return response(Problem.of(401, "Unauthorized", detail))
        .addHeader(org.apache.pekko.http.javadsl.model.HttpHeader.parse("WWW-Authenticate", challenge));
  }

  /** 403 for a valid token that lacks the grant the request needs. */
  public static HttpResponse forbidden(String detail) {
    return response(Problem.of(403, "Forbidden", detail));
  }

  public static HttpResponse unavailable(String detail) {
    return response(Problem.of(503, "Service unavailable", detail), 1);
  }

  public static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(error -> org.apache.pekko.http.javadsl.server.Directives.complete(forError(error)))
        .build();
  }

  /** Maps a failure (possibly wrapped by a CompletionStage) to its answer. */
  public static HttpResponse forError(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ProblemException p) {
      return response(p.problem(), p.retryAfterSeconds());
    }
    if (e instanceof InvalidRequest invalid) {
      return response(Problem.invalidField(invalid.field(), invalid.getMessage()));
    }
    if (e instanceof Overload overload) {
      return response(Problem.of(429, "Too many requests", overload.getMessage()),
          overload.retryAfterSeconds());
    }
    if (e instanceof EntityStreamSizeException) {
      return response(Problem.of(413, "Payload too large", "request body is larger than allowed"));
    }
    if (e instanceof TimeoutException || e instanceof AskTimeoutException) {
      return unavailable("the cluster did not answer in time; retry");
    }
    if (StorageFailures.isTransient(e)) {
      log.warn("Storage unavailable answering a request: {}", e.toString());
      return unavailable("storage did not answer in time; retry");
    }
    log.error("Unexpected failure answering a request", e);
    return response(Problem.of(500, "Internal error", "unexpected failure"));
  }

  public static RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(
            MethodRejection.class,
            rejections ->
                org.apache.pekko.http.javadsl.server.Directives.complete(
                    response(
                        Problem.of(
                            405,
                            "Method not allowed",
                            "allowed: "
                                + rejections.stream()
                                    .map(r -> r.supported().name())
                                    .distinct()
                                    .sorted()
                                    .reduce((a, b) -> a + ", " + b)
                                    .orElse("")))))
        .handle(
            UnsupportedRequestContentTypeRejection.class,
            r ->
                org.apache.pekko.http.javadsl.server.Directives.complete(
                    response(
                        Problem.of(415, "Unsupported media type", "send application/json"))))
        .handle(
            MalformedQueryParamRejection.class,
            r ->
                org.apache.pekko.http.javadsl.server.Directives.complete(
                    response(Problem.invalidField(r.parameterName(), r.errorMsg()))))
        .handle(
            ExpectedWebSocketRequestRejection.class,
            r ->
                org.apache.pekko.http.javadsl.server.Directives.complete(
                    response(
                        Problem.invalid(
                            "this endpoint is a WebSocket: send a GET with Upgrade: websocket",
                            null))))
        .handleNotFound(
            org.apache.pekko.http.javadsl.server.Directives.complete(
                response(Problem.of(404, "Not found", "no such resource"))))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(Problems::asProblem);
  }

  /** Rewrites any plain-text rejection answer of Pekko's default handler as problem+json. */
  private static HttpResponse asProblem(HttpResponse response) {
    if (response.entity().getContentType().mediaType().subType().equals("problem+json")) {
      return response;
    }
    String detail =
        response.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
            ? strict.getData().utf8String()
            : response.status().reason();
    return response(Problem.of(response.status().intValue(), response.status().reason(), detail));
  }

  /** The problem a failure amounts to where no HTTP response carries it (a WebSocket frame). */
  public static Problem problemFor(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ProblemException p) {
      return p.problem();
    }
    if (e instanceof InvalidRequest invalid) {
      return Problem.invalidField(invalid.field(), invalid.getMessage());
    }
    if (e instanceof Overload overload) {
      return Problem.of(429, "Too many requests", overload.getMessage());
    }
    if (e instanceof TimeoutException || e instanceof AskTimeoutException) {
      return Problem.of(503, "Service unavailable", "the cluster did not answer in time; retry");
    }
    if (StorageFailures.isTransient(e)) {
      return Problem.of(503, "Service unavailable", "storage did not answer in time; retry");
    }
    log.error("Unexpected failure answering a stream frame", e);
    return Problem.of(500, "Internal error", "unexpected failure");
  }
}
