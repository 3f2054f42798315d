/**
 * Notifications (`--notify`): the hub's events become messages on Slack, Microsoft Teams and
 * signed JSON webhooks, filtered per sink, delivered at least once from bounded queues with
 * retries and backoff. One module per job:
 * - `notifier.ts`: `Notifier`, events from a source to every sink that accepts them, and metrics;
 * - `source.ts`: where events come from and who delivers each: the hub's event store
 *   (`hubEventSource`) on one hub; `fleetEventSource` switches, when the hub joins a cluster, to
 *   the consumer on NATS that gives each event to one replica (`nats-source.ts`, loaded only then);
 * - `config.ts`, `template.ts`: the notify file and message templates;
 * - `message.ts`, `formats.ts`, `git-url.ts`: what a message says, each sink's request, commit links;
 * - `sink-worker.ts`: one sink's queue, with one request in flight and retries.
 */
export { Notifier, accepts, type NotifierOptions } from './notifier.js';
export { hubEventSource, fleetEventSource, soleDeliverer, type EventSource, type DeliveryClaim, type SourcedEvent, type FleetSourceOptions } from './source.js';
export { loadNotifyConfig, parseNotifyConfig, NotifyConfigError, DEFAULT_RETRY, SINK_TYPES, type NotifyConfig, type SinkConfig, type RetryConfig } from './config.js';
export { formatRequest, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER } from './formats.js';
export { messageModel, type MessageModel } from './message.js';
export { commitUrl, repoWebUrl, GitUrls } from './git-url.js';
export type { SinkStatus } from './sink-worker.js';
