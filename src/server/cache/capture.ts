/**
 * Capture of the canonical response on the forward path, for the response cache only. The forward path passes bytes
 * through and never builds a canonical response; when (and only when) the call carries a ResponseCapture, the JSON
 * body is decoded with the upstream wire's fromResponse, and a stream's events (the same events the usage tap sees)
 * are fed to the wire's stream decoder and assembled. Without a capture, nothing here runs.
 */
import type { Call } from '../../pipeline/call.js';
import { createResponseAssembler } from '../../policies/cache/response-parts.js';
import type { StreamTap } from '../../providers/shared/stream-tap.js';
import type { ProviderRuntime } from '../upstream/provider-runtime.js';
import { wires } from '../dispatch/codecs.js';

/** Decodes a successful non-stream body into the call's capture (left empty when the body is not a chat response). */
export function captureWhole(call: Call, runtime: ProviderRuntime, json: unknown): void {
  const capture = call.cacheCapture;
  if (capture === undefined) return;
  try {
    capture.response = wires[runtime.wire].fromResponse(json);
  } catch {
    capture.response = null;
  }
}

/**
 * The usage tap of a forwarded stream, wrapped so that the events it observes are also decoded into the call's
 * capture; the capture is filled when the dispatcher asks the tap for its result. Returns `tap` itself when the call
 * has no capture.
 */
export function capturingTap(call: Call, runtime: ProviderRuntime, tap: StreamTap | null): StreamTap | null {
  const capture = call.cacheCapture;
  if (capture === undefined || tap === null) return tap;
  const decoder = wires[runtime.wire].createDecoder(runtime);
  const assembler = createResponseAssembler();
  let failed = false;
  return {
    observe(event) {
      tap.observe(event);
      if (failed) return;
      try {
        for (const part of decoder.decode(event)) assembler.push(part);
      } catch {
        failed = true;
      }
    },
    result() {
      if (!failed) {
        try {
          for (const part of decoder.end()) assembler.push(part);
        } catch {
          failed = true;
        }
      }
      capture.response = failed ? null : assembler.result();
      return tap.result();
    },
  };
}
