/**
 * Notifications: events (from the hub, or later from NATS) become messages on Slack, Microsoft
 * Teams and signed JSON webhooks, filtered per sink, delivered at least once with retries and
 * backoff from bounded queues. See source.ts for the event source and "who delivers" interfaces.
 */
export { Notifier, accepts, type NotifierOptions } from './notifier.js';
export { hubEventSource, soleDeliverer, type EventSource, type DeliveryClaim, type SourcedEvent } from './source.js';
export { loadNotifyConfig, parseNotifyConfig, NotifyConfigError, DEFAULT_RETRY, SINK_TYPES, type NotifyConfig, type SinkConfig, type RetryConfig } from './config.js';
export { formatRequest, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER } from './formats.js';
export { messageModel, type MessageModel } from './message.js';
export { commitUrl, repoWebUrl, GitUrls } from './git-url.js';
export type { SinkStatus } from './sink-worker.js';
