package dev.courier.node.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PKCS12 stores for the TLS tests, made with the JDK's {@code keytool}: a certificate authority,
 * keys it signs (for 127.0.0.1 and localhost), and trust stores holding only its certificate.
 */
final class TestCertificates {
  static final String PASSWORD = "courier-test-pass";

  private final Path dir;
  private final String ca;

  private TestCertificates(Path dir, String ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** A new certificate authority named {@code name}, its files in {@code dir}. */
  static TestCertificates authority(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    TestCertificates authority = new TestCertificates(dir, name);
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-ext", "bc:c", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", authority.file(name + "-ca.p12").toString(),
        "-storepass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "ca",
        "-keystore", authority.file(name + "-ca.p12").toString(), "-storepass", PASSWORD,
        "-file", authority.file(name + "-ca.pem").toString());
    return authority;
  }

  /** A trust store that trusts this authority's certificates and nothing else. */
  Path trustStore() throws IOException {
    Path store = file(ca + "-trust.p12");
    if (!Files.exists(store)) {
      keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file(ca + "-ca.pem").toString(),
          "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD);
    }
    return store;
  }

  /** A key store with a key for {@code name} (made on first use), its certificate signed by this authority. */
  Path keyStore(String name) throws IOException {
    Path store = file(ca + "-" + name + ".p12");
    if (Files.exists(store)) {
      return store;
    }
    Path request = file(ca + "-" + name + ".csr");
    Path signed = file(ca + "-" + name + ".pem");
    keytool("-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", PASSWORD);
    keytool("-certreq", "-alias", "key", "-keystore", store.toString(), "-storepass", PASSWORD,
        "-file", request.toString());
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", file(ca + "-ca.p12").toString(),
        "-storepass", PASSWORD, "-infile", request.toString(), "-outfile", signed.toString(),
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file(ca + "-ca.pem").toString(),
        "-keystore", store.toString(), "-storepass", PASSWORD);
    keytool("-importcert", "-alias", "key", "-file", signed.toString(),
        "-keystore", store.toString(), "-storepass", PASSWORD);
    return store;
  }

  private Path file(String name) {
    return dir.resolve(name);
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool did not finish: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }
}
