package dev.xdsdp.dataplane.admin;

import java.util.List;

/**
 * One admin URL: the exact path it answers, the line {@code /help} prints for it, whether it
 * changes server state (then only POST is accepted, as in Envoy), its documented parameters and
 * its handler.
 */
public record AdminEndpoint(String path, String help, boolean mutatesState, List<Param> params, Handler handler) {

  /** Computes the response; runs on a worker thread, never on an event loop. */
  @FunctionalInterface
  public interface Handler {
    AdminResponse handle(AdminRequest request) throws Exception;
  }

  /**
   * A documented query parameter.
   *
   * @param choices the allowed values of an enum parameter, empty otherwise
   */
  public record Param(String name, String help, List<String> choices) {
    public Param {
      choices = List.copyOf(choices);
    }

    public static Param of(String name, String help) {
      return new Param(name, help, List.of());
    }

    public static Param oneOf(String name, String help, String... choices) {
      return new Param(name, help, List.of(choices));
    }
  }

  public AdminEndpoint {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("admin path must start with '/': " + path);
    }
    params = List.copyOf(params);
  }

  public static AdminEndpoint get(String path, String help, Handler handler, Param... params) {
    return new AdminEndpoint(path, help, false, List.of(params), handler);
  }

  public static AdminEndpoint post(String path, String help, Handler handler, Param... params) {
    return new AdminEndpoint(path, help, true, List.of(params), handler);
  }
}
