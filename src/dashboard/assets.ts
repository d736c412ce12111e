import { FAVICON_SVG } from './favicon.js';
import { PAGE_CSS } from './page-css.js';
import { PAGE_HTML } from './page-html.js';
import { PAGE_SCRIPT } from './page-script.js';

/** A file the dashboard serves from memory. */
export interface Asset {
  readonly type: string;
  readonly body: string;
}

/**
 * Everything the page needs, by exact path. Served from memory only: a path
 * not in this table is a 404, so no request can reach the file system.
 */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: PAGE_HTML }],
  ['/assets/app.js', { type: 'text/javascript; charset=utf-8', body: PAGE_SCRIPT }],
  ['/assets/app.css', { type: 'text/css; charset=utf-8', body: PAGE_CSS }],
  ['/assets/favicon.svg', { type: 'image/svg+xml', body: FAVICON_SVG }],
]);
