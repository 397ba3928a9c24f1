package dev.xdsdp.xds.resource.listener;

/** One filter chain of a listener: when it applies and its HTTP connection manager. */
public record FilterChainConfig(String name, FilterChainMatchConfig match, HcmConfig hcm) {}
