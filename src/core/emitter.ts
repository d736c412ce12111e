/**
 * A minimal typed event emitter (no Node `EventEmitter`, so it runs in any
 * runtime). Listener arrays are copied on change, so emitting never sees a
 * list being modified, and `has()` is a single property read for the hot path.
 */
export class Emitter<Events extends { [K in keyof Events]: (payload: never) => void }> {
  private readonly listeners: { [K in keyof Events]?: Events[K][] } = {};

  /** @param onListenerError receives whatever a listener throws, so that one bad listener never breaks a call. */
  constructor(private readonly onListenerError: (event: keyof Events, error: unknown) => void) {}

  /** Adds a listener; returns the function that removes it (idempotent). */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    const current: Events[K][] | undefined = this.listeners[event];
    this.listeners[event] = current === undefined ? [listener] : current.concat([listener]);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const list = this.listeners[event];
      if (list === undefined) return;
      const index = list.indexOf(listener);
      if (index === -1) return;
      const next = list.slice();
      next.splice(index, 1);
      this.listeners[event] = next.length === 0 ? undefined : next;
    };
  }

  /** Whether anybody listens to `event`. */
  has(event: keyof Events): boolean {
    return this.listeners[event] !== undefined;
  }

  /** Calls every listener of `event`, isolating each from the others and from the caller. */
  emit<K extends keyof Events>(event: K, payload: Parameters<Events[K]>[0]): void {
    const list = this.listeners[event];
    if (list === undefined) return;
    for (const listener of list) {
      try {
        (listener as (payload: Parameters<Events[K]>[0]) => void)(payload);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }
}
