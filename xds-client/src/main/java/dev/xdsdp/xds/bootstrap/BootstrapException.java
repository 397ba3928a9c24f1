package dev.xdsdp.xds.bootstrap;

/**
 * A bootstrap that cannot be loaded: a missing or unreadable file, a syntax error, a field of the
 * wrong type or name, or no config at all. The message is what the user should see.
 */
public final class BootstrapException extends ConfigParseException {

  BootstrapException(ConfigParseException cause) {
    super(cause.sourceName(), cause.fieldPath(), cause.line(), cause.problem(), cause);
  }

  BootstrapException(String sourceName, String problem, Throwable cause) {
    super(sourceName, "", 0, problem, cause);
  }
}
