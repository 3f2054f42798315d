/** Notification sinks and how their deliveries are going (never their URLs or secrets). */
import type { SinkStatus } from '../../notify/sink-worker.js';
import { html } from '../html.js';
import type { Viewer } from '../auth.js';
import { badge, layout, notice, time } from './ui.js';

/** Retrying, or the last thing that happened was a failure. */
export function sinkFailing(s: SinkStatus): boolean {
  return s.retrying || (s.lastErrorAt !== undefined && (s.lastDeliveredAt === undefined || s.lastErrorAt > s.lastDeliveredAt));
}

function sinkState(s: SinkStatus) {
  if (s.retrying) return badge('retrying', 'error');
  return sinkFailing(s) ? badge('last delivery failed', 'error') : badge('ok', 'ok');
}

export function notificationsPage(viewer: Viewer, sinks: SinkStatus[] | undefined) {
  return layout(
    { title: 'Notifications', viewer, section: 'notifications' },
    html`<h1>Notifications</h1>
${sinks === undefined
  ? notice('info', 'No notifications file is configured (fluxrpc hub --notify FILE).')
  : html`<div class="table-wrap"><table class="responsive" id="sinks">
<thead><tr><th scope="col">Sink</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Queued</th><th scope="col">Delivered</th><th scope="col">Failed attempts</th><th scope="col">Given up</th><th scope="col">Last error</th><th scope="col">Last delivery</th></tr></thead>
<tbody>${sinks.map(
      (s) => html`<tr><th scope="row">${s.name}</th><td data-label="Type">${s.type}</td><td data-label="State">${sinkState(s)}</td><td data-label="Queued" class="num">${s.queued}</td><td data-label="Delivered" class="num">${s.delivered}</td><td data-label="Failed attempts" class="num">${s.failedAttempts}</td><td data-label="Given up" class="num" title="refused / expired / dropped">${s.refused + s.expired + s.dropped}</td><td data-label="Last error">${s.lastError ? html`<span class="err">${s.lastError}</span> ${time(s.lastErrorAt)}` : html`<span class="muted">none</span>`}</td><td data-label="Last delivery">${time(s.lastDeliveredAt)}</td></tr>`,
    )}</tbody></table></div>`}`,
  );
}
