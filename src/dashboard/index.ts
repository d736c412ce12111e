/**
 * tripswitch/dashboard: a live page of the breakers, their JSON and their
 * event stream, on Node's own `http` (Node only; no dependency).
 */
export { createDashboardHandler, type DashboardHandler, MAX_BODY_BYTES, type NextFunction } from './handler.js';
export type { RateSample } from './history.js';
export type { DashboardOptions } from './options.js';
export { ACTIONS, type ActionName } from './routes.js';
export { type RunningDashboard, type StartDashboardOptions, startDashboard } from './server.js';
export type { BreakerView } from './view.js';
