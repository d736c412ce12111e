import { describe, expect, it, vi } from 'vitest';
import { bulkhead, compose, type Policy, retry, timeout } from '../../src/policies/index.js';

const policies: [string, () => Policy][] = [
  ['retry', () => retry()],
  ['bulkhead', () => bulkhead({ maxConcurrent: 1 })],
  ['timeout', () => timeout({ timeoutMs: 1_000 })],
  ['compose', () => compose(retry(), timeout({ timeoutMs: 1_000 }))],
];

describe.each(policies)('%s wraps like a breaker', (_name, create) => {
  it('wrap returns a promise for a sync fn, keeps `this`, the arguments and the name', async () => {
    const account = {
      balance: 10,
      add: create().wrap(function add(this: { balance: number }, amount: number) {
        return this.balance + amount;
      }),
    };
    const result = account.add(5);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe(15);
    expect(account.add.name).toBe('add');
  });

  it('turns a synchronous throw into a rejection', async () => {
    const policy = create();
    const fn = () => {
      throw new Error('sync');
    };
    const result = policy.execute(fn);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow('sync');
  });

  it('throws a TypeError naming the method when fn is not a function', () => {
    const policy = create();
    expect(() => policy.wrap(42 as never)).toThrow(/wrap\(fn\): fn must be a function, got 42/);
    expect(() => policy.execute('run' as never)).toThrow(/execute\(fn\): fn must be a function, got "run"/);
    expect(() => policy.wrapWithSignal(null as never)).toThrow(/wrapWithSignal\(fn\): fn must be a function, got null/);
    expect(() => policy.executeWithSignal(undefined as never, undefined)).toThrow(TypeError);
  });

  it('hands fn a real AbortSignal when the caller passes none', async () => {
    const fn = vi.fn(async (signal: AbortSignal, id: string) => `${id}:${signal instanceof AbortSignal}:${signal.aborted}`);
    await expect(create().executeWithSignal(fn, undefined, 'a')).resolves.toBe('a:true:false');
    await expect(create().wrapWithSignal(fn)(undefined, 'b')).resolves.toBe('b:true:false');
  });

  it('rejects a signal argument that is not an AbortSignal, without running fn', async () => {
    const fn = vi.fn(async () => 1);
    await expect(create().executeWithSignal(fn, 'nope' as never)).rejects.toThrow(/signal must be an AbortSignal or undefined, got "nope"/);
    expect(fn).not.toHaveBeenCalled();
  });

  it('is frozen, so a stage cannot be patched behind its users', () => {
    expect(Object.isFrozen(create())).toBe(true);
  });
});
