package dev.xdsdp.xds.resource.route;

/** What a matched route does: forward, redirect, answer directly, or nothing (non-forwarding). */
public sealed interface RouteAction
    permits ForwardAction, RedirectAction, DirectResponseAction, NonForwardingAction {}
