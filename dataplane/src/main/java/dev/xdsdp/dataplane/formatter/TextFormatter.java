package dev.xdsdp.dataplane.formatter;

import java.util.List;

/** A text format, Envoy's {@code FormatterImpl}: providers joined, missing values as {@code -}. */
public final class TextFormatter implements Formatter {

  private final String format;
  private final List<FormatterProvider> providers;
  private final boolean omitEmptyValues;
  private final String contentType;

  TextFormatter(String format, boolean omitEmptyValues, String contentType)
      throws FormatterException {
    this.format = format;
    this.providers = SubstitutionFormatParser.parse(format);
    this.omitEmptyValues = omitEmptyValues;
    this.contentType = contentType;
  }

  /** The format string this formatter was parsed from. */
  public String formatString() {
    return format;
  }

  @Override
  public String format(FormatterContext context) {
    StringBuilder sb = new StringBuilder(256);
    for (FormatterProvider p : providers) {
      String s = p.format(context);
      if (s != null) {
        sb.append(s);
      } else if (!omitEmptyValues) {
        sb.append('-');
      }
    }
    return sb.toString();
  }

  @Override
  public String contentType() {
    return contentType;
  }

  @Override
  public String toString() {
    return "TextFormatter[" + format + "]";
  }
}
