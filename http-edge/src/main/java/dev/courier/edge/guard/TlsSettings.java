package dev.courier.edge.guard;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/**
 * HTTPS on the HTTP port, read from {@code courier.http.tls}: a PKCS12 keystore and its password.
 * Without a keystore the port serves plain HTTP; with one it serves only HTTPS (TLS 1.3 and 1.2).
 * A keystore that cannot be used stops the node at start, with a message that names the file and
 * never the password.
 */
public record TlsSettings(Optional<Path> keystore, char[] password) {
  /** The only protocols offered: TLS 1.3, and 1.2 for older clients. */
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  public static TlsSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.http.tls");
    String keystore = c.getString("keystore").trim();
    return new TlsSettings(
        keystore.isEmpty() ? Optional.empty() : Optional.of(Path.of(keystore)),
        c.getString("password").toCharArray());
  }

  /** Whether the port serves HTTPS. */
  public boolean enabled() {
    return keystore.isPresent();
  }

  /**
   * The server's TLS context, when a keystore is configured.
   *
   * @throws IllegalStateException saying what is wrong with the keystore (never the password)
   */
  public Optional<HttpsConnectionContext> httpsContext() {
    if (keystore.isEmpty()) {
      return Optional.empty();
    }
    SSLContext context = sslContext(keystore.get());
    return Optional.of(ConnectionContext.httpsServer(() -> {
      SSLEngine engine = context.createSSLEngine();
      engine.setUseClientMode(false);
      engine.setEnabledProtocols(PROTOCOLS);
      return engine;
    }));
  }

  private SSLContext sslContext(Path file) {
    String where = "courier.http.tls.keystore (COURIER_TLS_KEYSTORE) " + file;
    if (!Files.isReadable(file)) {
      throw new IllegalStateException(where + " does not exist or cannot be read");
    }
    KeyStore store;
    try (InputStream in = Files.newInputStream(file)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(where + " could not be opened: not a PKCS12 keystore, or"
          + " COURIER_TLS_PASSWORD is wrong", e);
    }
    try {
      if (!hasKey(store)) {
        throw new IllegalStateException(where + " holds no private key with a certificate");
      }
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(where + " could not be used: its key's password differs"
          + " from COURIER_TLS_PASSWORD, or the key is not supported (" + e.getClass().getSimpleName()
          + ")", e);
    }
  }

  private static boolean hasKey(KeyStore store) throws GeneralSecurityException {
    for (var aliases = store.aliases(); aliases.hasMoreElements(); ) {
      if (store.isKeyEntry(aliases.nextElement())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "TlsSettings[keystore=" + keystore + ", password=<hidden>]";
  }
}
