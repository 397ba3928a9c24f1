/**
 * Java programs the benchmark scripts start: JMH benchmarks of Wasm engines ({@code engines}),
 * a gRPC upstream ({@code upstream}) and the xDS scale driver ({@code xds}). Nothing here is part
 * of the data plane; scripts in {@code benchmarks/} run these through {@code bench_build_tools}.
 */
package dev.xdsdp.bench;
