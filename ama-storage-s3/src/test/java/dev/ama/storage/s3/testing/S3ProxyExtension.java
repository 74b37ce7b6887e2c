package dev.ama.storage.s3.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a running {@link S3ProxyServer}: one per test run, shared by every class that uses
 * the extension, stopped when the run ends (also when tests fail). Declare it with
 * {@code @ExtendWith(S3ProxyExtension.class)} and take an {@link S3ProxyServer} parameter in a
 * constructor, {@code @BeforeAll}, {@code @BeforeEach} or test method.
 */
public final class S3ProxyExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(S3ProxyExtension.class);

  /** Used by JUnit. */
  public S3ProxyExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == S3ProxyServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server(context);
  }

  /** The run's server, started on first use. */
  public static S3ProxyServer server(ExtensionContext context) {
    // The root store lives for the whole run and closes its CloseableResources at the end.
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Resource.class, k -> new Resource(), Resource.class).server;
  }

  private static final class Resource implements ExtensionContext.Store.CloseableResource {
    final S3ProxyServer server;

    Resource() {
      try {
        server = S3ProxyServer.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
