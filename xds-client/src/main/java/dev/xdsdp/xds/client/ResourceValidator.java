package dev.xdsdp.xds.client;

import dev.xdsdp.xds.resource.ResourceInvalidException;

/**
 * A check of a parsed resource that needs more than the resource itself (e.g. whether an ECDS
 * config fits the filters that name it). A failure rejects the resource as a parse error would.
 * Called on the xDS context.
 */
@FunctionalInterface
public interface ResourceValidator<T> {

  void validate(String name, T value) throws ResourceInvalidException;
}
