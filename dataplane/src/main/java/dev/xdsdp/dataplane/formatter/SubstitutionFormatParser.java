package dev.xdsdp.dataplane.formatter;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Envoy's {@code SubstitutionFormatParser}: splits a format string into literals and command
 * operators {@code %COMMAND(ARG):LENGTH%} once, at config time. {@code %%} is a literal
 * {@code %}.
 */
public final class SubstitutionFormatParser {

  /** Envoy's command regex: upper-case name, optional {@code (arg)}, optional {@code :length}. */
  private static final Pattern COMMAND =
      Pattern.compile("%([A-Z0-9_]+)(?:\\((.*?)\\))?(?::([0-9]+))?%");

  private SubstitutionFormatParser() {}

  /** The providers of {@code format}, in order. An empty format gives one empty literal. */
  public static List<FormatterProvider> parse(String format) throws FormatterException {
    List<FormatterProvider> out = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    Matcher m = COMMAND.matcher(format);
    int pos = 0;
    int n = format.length();
    while (pos < n) {
      char c = format.charAt(pos);
      if (c != '%') {
        literal.append(c);
        pos++;
        continue;
      }
      if (pos + 1 < n && format.charAt(pos + 1) == '%') {
        literal.append('%');
        pos += 2;
        continue;
      }
      if (!literal.isEmpty()) {
        out.add(new Providers.Literal(literal.toString()));
        literal.setLength(0);
      }
      m.region(pos, n);
      if (!m.lookingAt()) {
        throw new FormatterException(
            "Incorrect configuration: " + format + ". Couldn't find valid command at position " + pos);
      }
      String command = m.group(1);
      String arg = m.group(2) == null ? "" : m.group(2);
      int maxLength = -1;
      if (m.group(3) != null) {
        try {
          maxLength = Integer.parseInt(m.group(3));
        } catch (NumberFormatException e) {
          throw new FormatterException(
              "Incorrect configuration: " + format + ". Couldn't find valid command at position "
                  + pos);
        }
      }
      out.add(create(command, arg, maxLength));
      pos = m.end();
    }
    if (!literal.isEmpty() || format.isEmpty()) {
      out.add(new Providers.Literal(literal.toString()));
    }
    return List.copyOf(out);
  }

  private static FormatterProvider create(String command, String arg, int maxLength)
      throws FormatterException {
    Commands.Command c = Commands.lookup(command);
    if (c == null) {
      throw new FormatterException("Not supported field in StreamInfo: " + command);
    }
    Commands.verifySyntax(c.flags(), command, arg, maxLength);
    return c.factory().create(arg, maxLength);
  }
}
