/**
 * Fallbacks for what a connected daemon claims but does not serve, next to the shims for what an
 * older protocol lacks (shims.ts).
 *
 * Go daemons (fluxd v1.25.4) never registered `RPCServer.ListServicesWithOptions`, although the V11
 * client calls it and the HTTP API routes both services routes to it (docs/rpc.md §1). When a
 * daemon answers it with `rpc: can't find method RPCServer.ListServicesWithOptions`, the upstream
 * uses the V6–V10 shim (ListServices plus the filter, V8's kinds) for it, and keeps doing so for
 * that connection without asking again.
 */
import type { CallContext, FluxApi } from '../api.js';
import type { ControllerStatus } from '../model/controller-status.js';
import type { ListServicesOptions } from '../model/options.js';
import { ServerError } from '../../rpc/errors.js';
import { GoText } from '../../runtime/go-text.js';
import { KINDS_V8 } from './kinds.js';
import { SERVICE_NAME } from './methods.js';
import { listServicesWithOptions } from './shims.js';

/** The error a Go daemon answers ListServicesWithOptions with. */
export const NO_LIST_SERVICES_WITH_OPTIONS = GoText.canNotFindMethod(`${SERVICE_NAME}.ListServicesWithOptions`);

/** What is known about one connected daemon's gaps (one object per connection). */
export interface DaemonGaps {
  /** The daemon answered ListServicesWithOptions with "can't find method". */
  lacksListServicesWithOptions: boolean;
}

/** A daemon about which nothing is known yet. */
export function unknownGaps(): DaemonGaps {
  return { lacksListServicesWithOptions: false };
}

/**
 * ListServicesWithOptions on `api`, falling back to the shim when the daemon lacks the method.
 * The first such answer sets `gaps.lacksListServicesWithOptions` and calls `onFallback` (to log it);
 * later calls with the same `gaps` use the shim at once. Other errors pass through.
 */
export async function listServicesWithOptionsOrShim(
  api: FluxApi,
  ctx: CallContext,
  options: ListServicesOptions,
  gaps: DaemonGaps,
  onFallback: () => void = () => undefined,
): Promise<readonly ControllerStatus[] | null> {
  if (!gaps.lacksListServicesWithOptions) {
    try {
      return await api.listServicesWithOptions(ctx, options);
    } catch (e) {
      if (!(e instanceof ServerError) || e.message !== NO_LIST_SERVICES_WITH_OPTIONS) throw e;
      gaps.lacksListServicesWithOptions = true;
      onFallback();
    }
  }
  return listServicesWithOptions(api, ctx, options, KINDS_V8);
}
