package dev.xdsdp.xds.resource;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IP prefix ({@code address_prefix}/{@code prefix_len}) that tests addresses for membership. */
public record CidrRange(byte[] prefix, int length, String text) {

  public static CidrRange parse(io.envoyproxy.envoy.config.core.v3.CidrRange proto, FieldPath path, String resource)
      throws ResourceInvalidException {
    String ip = proto.getAddressPrefix();
    if (!dev.xdsdp.xds.resource.endpoint.EndpointResourceType.isIpLiteral(ip)) {
      throw new ResourceInvalidException(resource, path.field("address_prefix").prefix() + "malformed IP address: " + ip);
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new ResourceInvalidException(resource, path.field("address_prefix").prefix() + "malformed IP address: " + ip);
    }
    int len = proto.hasPrefixLen() ? proto.getPrefixLen().getValue() : bytes.length * 8;
    if (len > bytes.length * 8) {
      throw new ResourceInvalidException(resource, path.field("prefix_len").prefix() + "must be at most " + bytes.length * 8);
    }
    return new CidrRange(bytes, len, ip + "/" + len);
  }

  /** True when {@code address} (an IP literal) is inside this range. */
  public boolean contains(String address) {
    byte[] a;
    try {
      if (address == null || !dev.xdsdp.xds.resource.endpoint.EndpointResourceType.isIpLiteral(address)) {
        return false;
      }
      a = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return false;
    }
    if (a.length != prefix.length) {
      return false;
    }
    int full = length / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != prefix[i]) {
        return false;
      }
    }
    int rem = length % 8;
    if (rem == 0) {
      return true;
    }
    int mask = (0xff << (8 - rem)) & 0xff;
    return (a[full] & mask) == (prefix[full] & mask);
  }

  @Override
  public String toString() {
    return text;
  }
}
