import type { EventName, EventPayload } from '../../src-shared/contract';
import type { EventListener } from '../ipc/types';

/** The core's event bus toward the renderer(s). */
export class CoreEvents {
  private readonly listeners = new Set<EventListener>();
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // A broken listener (e.g. a closed window) must not stop the others.
      }
    }
  }
}
