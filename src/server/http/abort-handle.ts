import { EventEmitter } from 'node:events';
import type { CallAbort } from '../../pipeline/call.js';

/** The per-call abort handle: emits 'abort' once. See CallAbort for why it is not an AbortController. */
export class AbortHandle extends EventEmitter implements CallAbort {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}
