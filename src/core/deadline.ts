/** How a call raced against its deadline and its caller's signal ended. */
export type Settlement =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'timeout'; readonly error: Error }
  | { readonly kind: 'aborted'; readonly reason: unknown };

/**
 * Waits for `pending`, a timer of `timeoutMs` and the caller's `outer` signal,
 * whichever comes first. On timeout or outer abort the call's own `controller`
 * is aborted (with the timeout error, or the caller's reason) so the running fn
 * can stop. The timer is unref'd and cleared, and the outer listener removed,
 * as soon as the race is decided: nothing outlives the call.
 */
export function settleWithin(
  pending: PromiseLike<unknown>,
  controller: AbortController | undefined,
  timeoutMs: number | undefined,
  outer: AbortSignal | undefined,
  createTimeoutError: () => Error,
): Promise<Settlement> {
  return new Promise<Settlement>((resolve) => {
    let decided = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const decide = (settlement: Settlement): void => {
      if (decided) return;
      decided = true;
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
      resolve(settlement);
    };
    const onOuterAbort = (): void => {
      const reason = outer?.reason;
      controller?.abort(reason);
      decide({ kind: 'aborted', reason });
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = createTimeoutError();
        controller?.abort(error);
        decide({ kind: 'timeout', error });
      }, timeoutMs);
      unrefTimer(timer);
    }
    if (outer !== undefined) outer.addEventListener('abort', onOuterAbort);
    pending.then(
      (value) => decide({ kind: 'value', value }),
      (error: unknown) => decide({ kind: 'error', error }),
    );
  });
}

/** Lets the process exit while `timer` is pending, where the runtime supports it (Node, Bun, Deno). */
export function unrefTimer(timer: unknown): void {
  if (typeof timer === 'object' && timer !== null && typeof (timer as { unref?: unknown }).unref === 'function') {
    (timer as { unref(): void }).unref();
  }
}
