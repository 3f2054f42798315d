/**
 * Not a module of its own: GoText lives in ../runtime/go-text.ts, and Go's `%v` formatting in
 * go-format.ts. This re-export only keeps `client.ts`'s import working until that import names
 * ../runtime/go-text.js; delete this file then.
 */
export { GoText } from '../runtime/go-text.js';
