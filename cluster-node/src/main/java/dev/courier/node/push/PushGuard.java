package dev.courier.node.push;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Keeps webhooks from being turned against the node's own network (server-side request forgery):
 * a push URL whose host resolves to a non-public address ({@link AddressClass}) is refused when the
 * subscription is created, and again every time a connection is opened (the name may resolve
 * elsewhere by then: DNS rebinding), unless the node itself serves only loopback or the host is
 * listed in {@code courier.push.allowed-hosts}. Also bounds the node's requests in flight to any one
 * destination host. One per actor system.
 */
public final class PushGuard implements Extension {
  /** The extension's id; {@link #get} looks it up. */
  public static final ExtensionId<PushGuard> ID =
      new ExtensionId<>() {
        @Override
        public PushGuard createExtension(ActorSystem<?> system) {
          return new PushGuard(
              Policy.fromConfig(system.settings().config()),
              system.dispatchers().lookup(DispatcherSelector.blocking()),
              PushGuard::resolve);
        }
      };

  /** Whether non-public addresses are allowed, for which hosts, and the per-host bound. */
  public record Policy(boolean nodeOnLoopback, Set<String> allowedHosts, int maxPerHost) {
    public Policy {
      allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());
    }

    static Policy fromConfig(Config config) {
      String hosts = config.getString("courier.push.allowed-hosts").trim();
      return new Policy(
          config.getBoolean("courier.push.exempt-when-loopback")
              && isLoopback(config.getString("courier.http.host")),
          hosts.isEmpty() ? Set.of() : Set.of(hosts.split("[,\\s]+")),
          config.getInt("courier.push.max-per-host"));
    }

    boolean allowsAnyAddress(String host) {
      return nodeOnLoopback || allowedHosts.contains(host.toLowerCase(Locale.ROOT));
    }
  }

  /** A push host refused: what it resolves to, said so that an operator can act. */
  public static final class Refused extends RuntimeException {
    Refused(String detail) {
      super(detail, null, false, false);
    }
  }

  private final Policy policy;
  private final Executor blocking;
  private final Function<String, List<InetAddress>> resolver;
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  PushGuard(Policy policy, Executor blocking, Function<String, List<InetAddress>> resolver) {
    this.policy = policy;
    this.blocking = blocking;
    this.resolver = resolver;
  }

  public static PushGuard get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /**
   * Why a webhook may not be sent to {@code host}, if it may not: it does not resolve, or one of
   * its addresses is not public and the policy does not allow it.
   */
  public CompletionStage<Optional<String>> refusal(String host) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            check(host);
            return Optional.<String>empty();
          } catch (Refused refused) {
            return Optional.of(refused.getMessage());
          }
        },
        blocking);
  }

  /** Resolves {@code host} for a connection, failing with {@link Refused} where it may not go. */
  public CompletionStage<InetSocketAddress> connectTo(String host, int port) {
    return CompletableFuture.supplyAsync(
        () -> new InetSocketAddress(check(host), port), blocking);
  }

  /** The address to connect to; throws {@link Refused} when the host may not be reached. */
  private InetAddress check(String host) {
    String bare = host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1) : host;
    List<InetAddress> addresses;
    try {
      addresses = resolver.apply(bare);
    } catch (RuntimeException e) {
      throw new Refused("host '" + bare + "' does not resolve");
    }
    if (addresses.isEmpty()) {
      throw new Refused("host '" + bare + "' does not resolve");
    }
    if (!policy.allowsAnyAddress(bare)) {
      for (InetAddress a : addresses) {
        Optional<String> kind = AddressClass.nonPublic(a);
        if (kind.isPresent()) {
          throw new Refused("host '" + bare + "' resolves to " + a.getHostAddress() + ", a "
              + kind.get() + " address; webhooks go to public addresses only unless the host is "
              + "in COURIER_PUSH_ALLOWED_HOSTS");
        }
      }
    }
    return addresses.get(0);
  }

  /** Takes a place for a request to {@code host}; false when it has max-per-host in flight. */
  boolean tryAcquire(String host) {
    AtomicInteger count = inFlight.computeIfAbsent(host.toLowerCase(Locale.ROOT),
        h -> new AtomicInteger());
    while (true) {
      int now = count.get();
      if (now >= policy.maxPerHost()) {
        return false;
      }
      if (count.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Gives back a place taken with {@link #tryAcquire}. */
  void release(String host) {
    AtomicInteger count = inFlight.get(host.toLowerCase(Locale.ROOT));
    if (count != null) {
      count.decrementAndGet();
    }
  }

  private static List<InetAddress> resolve(String host) {
    try {
      return Arrays.asList(InetAddress.getAllByName(host));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
