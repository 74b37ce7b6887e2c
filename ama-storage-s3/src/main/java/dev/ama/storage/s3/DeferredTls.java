package dev.ama.storage.s3;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * TLS for a client whose endpoint is plain HTTP (S3Proxy, a MinIO on the local network), set up on
 * its first TLS connection, which such a client may never make. The SDK's own sets up an SSL
 * context and parses the JDK's trust store when the client is built: a quarter of a second of a
 * cold {@code ama} command, spent for nothing.
 *
 * <p>When it is needed after all (a redirect to an {@code https} address), it is the JDK's default
 * TLS, as the SDK's is: the system trust store, the key store of the {@code javax.net.ssl.*}
 * properties, and host names verified.
 */
final class DeferredTls implements TlsSocketStrategy {
  private volatile TlsSocketStrategy tls;

  @Override
  public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext context)
      throws IOException {
    return tls().upgrade(socket, target, port, attachment, context);
  }

  private TlsSocketStrategy tls() {
    TlsSocketStrategy t = tls;
    if (t == null) {
      synchronized (this) {
        t = tls;
        if (t == null) {
          t = DefaultClientTlsStrategy.createSystemDefault();
          tls = t;
        }
      }
    }
    return t;
  }
}
