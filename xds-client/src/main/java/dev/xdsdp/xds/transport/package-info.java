/**
 * The wire to an ADS server: {@link dev.xdsdp.xds.transport.XdsTransport} opens SotW or delta
 * aggregated streams and carries messages; {@code grpc.GrpcXdsTransport} does it over grpc-java
 * (TCP, Unix socket, or a target URI). Nothing here knows resources, versions or ACKs.
 */
package dev.xdsdp.xds.transport;
