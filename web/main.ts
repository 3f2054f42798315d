/**
 * The dashboard's progressive enhancement: every page works without JavaScript (plain links and
 * forms); with it, pages update live (live.ts), the workload list filters as you type
 * (filter.ts), the deploy key has a copy button (copy.ts) and the release form keeps its choices
 * consistent (release-form.ts). Served from the hub (`script-src 'self'`), no inline script.
 */
import { startLive } from './live.js';
import { enhanceWorkloadFilter } from './filter.js';
import { enhanceCopyButtons } from './copy.js';
import { enhanceReleaseForm } from './release-form.js';

startLive();
enhanceWorkloadFilter();
enhanceCopyButtons();
enhanceReleaseForm();
