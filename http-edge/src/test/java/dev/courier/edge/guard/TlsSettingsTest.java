package dev.courier.edge.guard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.edge.TestKeystore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A keystore that cannot be used is refused at start with a message naming it, never the password. */
class TlsSettingsTest {
  @TempDir Path dir;

  @Test
  void noKeystoreMeansPlainHttp() {
    TlsSettings tls = TlsSettings.fromConfig(ConfigFactory.load());
    assertFalse(tls.enabled());
    assertTrue(tls.httpsContext().isEmpty());
  }

  @Test
  void aGoodKeystoreGivesAnHttpsContext() throws Exception {
    TestKeystore keystore = TestKeystore.create(dir, "right-password");
    TlsSettings tls = new TlsSettings(Optional.of(keystore.file()), "right-password".toCharArray());
    assertTrue(tls.httpsContext().isPresent());
  }

  @Test
  void aMissingKeystoreIsRefused() {
    Path missing = dir.resolve("nope.p12");
    var error = assertThrows(IllegalStateException.class,
        () -> new TlsSettings(Optional.of(missing), "pw-123".toCharArray()).httpsContext());
    assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    assertTrue(error.getMessage().contains("COURIER_TLS_KEYSTORE"), error.getMessage());
  }

  @Test
  void aWrongPasswordIsRefusedWithoutQuotingIt() throws Exception {
    TestKeystore keystore = TestKeystore.create(dir, "right-password");
    var error = assertThrows(IllegalStateException.class,
        () -> new TlsSettings(Optional.of(keystore.file()), "wrong-password".toCharArray())
            .httpsContext());
    assertTrue(error.getMessage().contains("COURIER_TLS_PASSWORD"), error.getMessage());
    assertFalse(error.getMessage().contains("wrong-password"), error.getMessage());
    assertFalse(error.getMessage().contains("right-password"), error.getMessage());
  }

  @Test
  void aFileThatIsNoKeystoreIsRefused() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.p12"), "not a keystore");
    var error = assertThrows(IllegalStateException.class,
        () -> new TlsSettings(Optional.of(junk), "pw-123".toCharArray()).httpsContext());
    assertTrue(error.getMessage().contains("could not be opened"), error.getMessage());
  }
}
