package dev.xdsdp.api.http;

/** Told when a write queue crosses its high or low watermark. */
public interface WatermarkCallbacks {

  void onAboveWriteBufferHighWatermark();

  void onBelowWriteBufferLowWatermark();
}
