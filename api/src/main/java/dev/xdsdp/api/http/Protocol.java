package dev.xdsdp.api.http;

/** The HTTP protocol of a stream, named as Envoy's {@code %PROTOCOL%} prints it. */
public enum Protocol {
  HTTP_1_0("HTTP/1.0"),
  HTTP_1_1("HTTP/1.1"),
  HTTP_2("HTTP/2"),
  HTTP_3("HTTP/3");

  private final String text;

  Protocol(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
