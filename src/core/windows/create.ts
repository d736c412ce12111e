import type { ResolvedConfig } from '../config.js';
import { ConsecutiveWindow } from './consecutive.js';
import { CountWindow } from './count.js';
import { TimeWindow } from './time.js';
import type { FailureWindow } from './window.js';

/** The failure window a config asks for. */
export function createWindow(config: ResolvedConfig): FailureWindow {
  const { window } = config;
  switch (window.type) {
    case 'consecutive':
      return new ConsecutiveWindow(config.failureThreshold);
    case 'count':
      return new CountWindow(window.size, { ...window, slowCallRateThreshold: config.slowCallRateThreshold });
    case 'time':
      return new TimeWindow(window.durationMs, window.buckets, { ...window, slowCallRateThreshold: config.slowCallRateThreshold });
  }
}
