package dev.xdsdp.dataplane.formatter;

import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds {@link Formatter}s: from {@code envoy.config.core.v3.SubstitutionFormatString} (Envoy's
 * {@code SubstitutionFormatStringUtils::fromProtoConfig}), from a plain format string, or
 * Envoy's default access log format. Runs at config time, off the event loops (a
 * {@code text_format_source} may read a file).
 */
public final class SubstitutionFormatStrings {

  /** Envoy's default access log format. */
  public static final String DEFAULT_FORMAT =
      "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
          + "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
          + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "
          + "\"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" "
          + "\"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";

  static final String TEXT_PLAIN = "text/plain";
  static final String APPLICATION_JSON = "application/json";

  private static final Formatter DEFAULT;

  static {
    try {
      DEFAULT = new TextFormatter(DEFAULT_FORMAT, false, TEXT_PLAIN);
    } catch (FormatterException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private SubstitutionFormatStrings() {}

  /** Envoy's default access log formatter. */
  public static Formatter defaultFormatter() {
    return DEFAULT;
  }

  /** A text formatter for {@code format}, missing values printed as {@code -}. */
  public static Formatter text(String format) throws FormatterException {
    return new TextFormatter(format, false, TEXT_PLAIN);
  }

  /** A text formatter; with {@code omitEmptyValues} missing values print as nothing. */
  public static Formatter text(String format, boolean omitEmptyValues) throws FormatterException {
    return new TextFormatter(format, omitEmptyValues, TEXT_PLAIN);
  }

  /** A typed JSON formatter for {@code format}. */
  public static Formatter json(Struct format, boolean omitEmptyValues) throws FormatterException {
    return new JsonFormatter(format, omitEmptyValues, APPLICATION_JSON);
  }

  /** The formatter a {@code SubstitutionFormatString} describes. */
  @SuppressWarnings("deprecation") // text_format is deprecated but still accepted by Envoy.
  public static Formatter fromProto(SubstitutionFormatString config) throws FormatterException {
    if (config.getFormattersCount() > 0) {
      // Formatter extensions (envoy.formatter.*) are not built in.
      throw new FormatterException("Formatter not found: " + config.getFormatters(0).getName());
    }
    boolean omit = config.getOmitEmptyValues();
    String contentType = config.getContentType();
    return switch (config.getFormatCase()) {
      case TEXT_FORMAT -> new TextFormatter(
          config.getTextFormat(), omit, contentType.isEmpty() ? TEXT_PLAIN : contentType);
      case JSON_FORMAT -> new JsonFormatter(
          config.getJsonFormat(), omit, contentType.isEmpty() ? APPLICATION_JSON : contentType);
      case TEXT_FORMAT_SOURCE -> new TextFormatter(
          read(config.getTextFormatSource()), omit,
          contentType.isEmpty() ? TEXT_PLAIN : contentType);
      case FORMAT_NOT_SET -> throw new FormatterException(
          "SubstitutionFormatString: one of text_format, json_format or text_format_source "
              + "must be set");
    };
  }

  /** Envoy's {@code Config::DataSource::read} with empty values allowed. */
  static String read(DataSource source) throws FormatterException {
    return switch (source.getSpecifierCase()) {
      case INLINE_STRING -> source.getInlineString();
      case INLINE_BYTES -> source.getInlineBytes().toString(StandardCharsets.UTF_8);
      case FILENAME -> {
        try {
          yield Files.readString(Path.of(source.getFilename()), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
          throw new FormatterException("file " + source.getFilename() + " does not exist", e);
        }
      }
      case ENVIRONMENT_VARIABLE -> {
        String v = System.getenv(source.getEnvironmentVariable());
        if (v == null) {
          throw new FormatterException(
              "Environment variable doesn't exist: " + source.getEnvironmentVariable());
        }
        yield v;
      }
      case SPECIFIER_NOT_SET -> "";
    };
  }
}
